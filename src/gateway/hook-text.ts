/**
 * Slack's incoming-webhook text turned into Roost's plain text. Roost bodies
 * are text that every client renders as text (never HTML), so nothing here
 * can inject markup: `<url|label>` becomes "label (url)", `<url>` the bare
 * URL (clients link http(s) URLs themselves), Slack's escapes `&lt; &gt;
 * &amp;` their characters; `*bold*` stays as typed (the web client shows it
 * bold). A link to anything but http(s) or mailto keeps only its label.
 */
const SLACK_LINK = /<([^<>|\s]+)(?:\|([^<>]*))?>/g;

function linkText(target: string, label: string | undefined): string {
  const safe = /^(https?:\/\/|mailto:)/i.test(target);
  if (label === undefined || label === '') return safe ? target : '';
  return safe && label !== target ? `${label} (${target})` : label;
}

export function hookText(text: string, username?: string): string {
  const body = text
    .replace(SLACK_LINK, (_m, target: string, label: string | undefined) => {
      // <!here>, <@U123>: Slack's mentions have no meaning here; keep their words.
      if (target.startsWith('!') || target.startsWith('@') || target.startsWith('#')) return label ?? target.slice(1);
      return linkText(target, label);
    })
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return username === undefined || username.trim() === '' ? body : `${username.trim()}: ${body}`;
}
