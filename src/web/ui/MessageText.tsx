import { linkify } from '../format.js';

/**
 * A message body as text nodes and links. Preact sets text with
 * textContent, so markup in a message is shown, never parsed; only http(s)
 * URLs become links, opened in a new tab without access to this one.
 */
export function MessageText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((p, i) => (p.href === undefined ? p.text
        : <a key={i} href={p.href} target="_blank" rel="noopener noreferrer nofollow">{p.text}</a>))}
    </>
  );
}
