/**
 * E-mail addresses in free text already normalised (NFKC, so 'ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ' reads
 * 'jane@example.com' here), as written and as spelled out to dodge filters → '[email]':
 *
 * - jane.doe@example.com, J.Doe+311@Mail.Example.ORG;
 * - with spaces around '@' and the dots: 'jane.doe @ example . com';
 * - with 'at' and 'dot' spelled: 'jane dot doe at example dot com', 'jane(at)example(dot)com',
 *   'jane [at] example [dot] com', 'jane at example.com'.
 *
 * A spaced or spelled address must end in a common top-level domain (com, org, net, gov, …):
 * prose is full of 'at' and of full stops, and 'met him at home. He said' is no address.
 */

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

const WORD = '[A-Za-z0-9_%+-]+';
const LABEL = '[A-Za-z0-9-]+';
const TOP_LEVEL_DOMAIN = '(?:com|org|net|gov|edu|mil|info|biz|io|us|co|uk|ca)';
/** 'at' or 'dot' spelled, bare between spaces or in brackets of any kind: ' at ', '(at)', '[ dot ]'. */
const spelled = (word: string): string => String.raw`(?:\s*[(\[{<]\s*${word}\s*[)\]}>]\s*|\s+${word}\s+)`;
const SPELLED_AT = spelled('at');
const SPELLED_DOT = spelled('dot');
/** The dots of the part before the '@': written or spelled, never spaced (that would swallow the sentence before). */
const LOCAL_PART = `${WORD}(?:(?:\\.|${SPELLED_DOT})${WORD})*`;

/** A real '@' with spaces around it or around the dots after it. */
const EMAIL_SPACED = new RegExp(
  `${LOCAL_PART}\\s*@\\s*${LABEL}(?:(?:\\s*\\.\\s*|${SPELLED_DOT})${LABEL})*?(?:\\s*\\.\\s*|${SPELLED_DOT})${TOP_LEVEL_DOMAIN}\\b`,
  'gi',
);
/** 'at' spelled; the dots after it spelled or written tight ('jane at example.com'). */
const EMAIL_SPELLED = new RegExp(
  `${LOCAL_PART}${SPELLED_AT}${LABEL}(?:(?:\\.|${SPELLED_DOT})${LABEL})*?(?:\\.|${SPELLED_DOT})${TOP_LEVEL_DOMAIN}\\b`,
  'gi',
);
/** Whether the text could hold a spelled address at all ('at', and 'dot' or a top-level domain): most text is skipped. */
const MAY_SPELL_AT = /\bat\b/i;
const MAY_SPELL_DOT = new RegExp(`\\bdot\\b|\\.${TOP_LEVEL_DOMAIN}\\b`, 'i');

export function redactEmails(text: string): string {
  let result = text;
  if (result.includes('@')) result = result.replace(EMAIL, '[email]').replace(EMAIL_SPACED, '[email]');
  if (MAY_SPELL_AT.test(result) && MAY_SPELL_DOT.test(result)) result = result.replace(EMAIL_SPELLED, '[email]');
  return result;
}
