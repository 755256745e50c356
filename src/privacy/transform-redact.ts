/**
 * The `redact` rule: free text (a caller's description, a clerk's notes) with the personal
 * data people write into it replaced by placeholders — e-mail addresses ('[email]'), phone,
 * card and Social Security numbers ('[phone]', '[number]', '[ssn]'), house and unit numbers in
 * prose (cut to the hundred block, '[unit]') and names after a cue word ('[name]'). Each kind
 * has its own module, which says what it catches and what it leaves.
 *
 * It is a safety net for text a liaison chose to publish, not a guarantee: a name without a
 * cue word, an address without a house number, another language's words for 'at' and 'dot',
 * or a number spelled in words get through (README, Privacy).
 */
import { redactAddresses } from './redact-addresses.js';
import { redactEmails } from './redact-emails.js';
import { redactNames } from './redact-names.js';
import { redactNumbers } from './redact-numbers.js';

/** Soft hyphen and the zero-width characters, which NFKC keeps and which can hide inside a number. */
const INVISIBLE = /[\u00ad\u200b\u200c\u2060\ufeff]/g;
const NOT_ASCII = /[^\x00-\x7f]/;

/**
 * The text as the patterns read it: NFKC folds look-alikes into ASCII (full-width digits and
 * '＠', '．', '－', no-break spaces, ligatures), and invisible characters go.
 *
 * The patterns run on this text and the rule returns it, rather than mapping each match back
 * to the original characters: NFKC changes lengths ('ﬁ' → 'fi'), so a match does not map
 * back to one span, and whatever is kept of a redacted value in its original spelling could
 * still be read. What changes outside the redacted parts is only typography ('１２' → '12',
 * '…' → '...'). Pure ASCII, most free text, is its own NFKC form and is not normalised.
 */
function comparable(text: string): string {
  return NOT_ASCII.test(text) ? text.normalize('NFKC').replace(INVISIBLE, '') : text;
}

export function redactPersonalData(text: string): string {
  // E-mails first: their local part may be a phone number (3175550142@txt.example.net). Each
  // step first checks cheaply whether it can match at all: every row of a public page is
  // redacted on its way out, and most free text holds nothing to redact.
  return redactNames(redactAddresses(redactNumbers(redactEmails(comparable(text)))));
}
