import * as z from 'zod/mini';
import { CredentialSchema } from './schemas/credential.ts';

/**
 * The JSON Schema (draft 2020-12) of a certificate's credential: the document the service
 * publishes at `VOCABULARY_PATHS.schema` and every new certificate names in `credentialSchema`
 * (type `JsonSchema`). It is rendered from {@link CredentialSchema}, the schema the verifier
 * itself parses with, so the two cannot disagree on shape; what a JSON Schema cannot say (check
 * digits, real calendar dates, the status entry's id matching its list and index) only the
 * verifier checks. It carries no `$id`: its bytes are the same in every deployment, so its
 * digest (`VOCABULARY_SRI.schema`) is a constant of the format.
 */

let rendered: string | undefined;

/** The schema document's exact bytes as served (UTF-8 JSON, two-space indent, final newline). */
export function credentialJsonSchemaText(): string {
  rendered ??= `${JSON.stringify(
    {
      ...z.toJSONSchema(CredentialSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' }),
      title: 'Data compliance certificate (数据合规流通数字证书), version 1',
      description:
        'The payload of a data compliance certificate: a W3C Verifiable Credential (VC Data Model 2.0) secured as a vc+jwt compact JWS.',
    },
    null,
    2,
  )}\n`;
  return rendered;
}
