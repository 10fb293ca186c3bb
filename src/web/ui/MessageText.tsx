import { linkify } from '../format.js';
import { splitMentions } from '../mentions.js';

/**
 * A message body as text nodes and links. Preact sets text with
 * textContent, so markup in a message is shown, never parsed; only http(s)
 * URLs become links, opened in a new tab without access to this one.
 * `@name` of each mentioned person is marked, the reader's own name more strongly.
 */
export function MessageText({ text, mentioned = [], myName }: { text: string; mentioned?: readonly string[]; myName?: string }) {
  return (
    <>
      {linkify(text).map((p, i) => (p.href !== undefined
        ? <a key={i} href={p.href} target="_blank" rel="noopener noreferrer nofollow">{p.text}</a>
        : splitMentions(p.text, mentioned).map((m, j) => (m.name === undefined ? m.text
          : <span key={`${i}-${j}`} class={`mention${m.name.toLowerCase() === myName?.toLowerCase() ? ' me' : ''}`}>{m.text}</span>))))}
    </>
  );
}
