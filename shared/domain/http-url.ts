/**
 * The service's URLs (issuer, status lists, vocabulary documents) are absolute `https:` or
 * `http:` URLs without credentials, as the WHATWG URL parser reads them. One rule for the zod
 * schema (`schemas/common.ts`) and the credential predicate (`schemas/credential-check.ts`).
 */

/** Whether `value` parses as an absolute `https:` or `http:` URL without user name or password. Does not check length. */
export function isHttpUrl(value: string): boolean {
  let url: URL;
  try {
    // One parse: URL.canParse and then new URL would parse every URL twice.
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
}
