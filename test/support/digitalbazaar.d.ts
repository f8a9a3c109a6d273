// Type declarations of the Digital Bazaar packages the interoperability tests use; they ship
// JavaScript only. Just the members the tests call.

declare module '@digitalbazaar/credentials-context' {
  /** Every context the package carries, by its URL. */
  export const contexts: Map<string, object>;
}

declare module '@digitalbazaar/vc-bitstring-status-list' {
  export function decodeList(options: { encodedList: string }): Promise<{ length: number; getStatus(index: number): boolean }>;
  export function getCredentialStatus(options: { credential: object; statusPurpose: string }): {
    type: string;
    statusPurpose: string;
    statusListIndex: string;
    statusListCredential: string;
  };
  export function statusTypeMatches(options: { credential: object }): boolean;
}
