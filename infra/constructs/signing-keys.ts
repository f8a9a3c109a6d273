import { RemovalPolicy } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias, type IKey, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * What the account may do with a signing key through IAM: administer it (so it can never become
 * unmanageable) and read its public key, but not sign. Signing is granted in the key policy to
 * the signing functions' roles by name, so no IAM policy anywhere in the account can add a signer.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
] as const;

/** Properties of {@link CertificateSigningKeys}. */
/**
 * An asymmetric SIGN_VERIFY key, retained on stack deletion, whose key policy lets the account
 * administer it but not sign: signers are added to the policy by name, one role at a time.
 * (Passing a policy replaces CDK's default "kms:*" for the account root.)
 */
export function retainedSigningKey(
  scope: Construct,
  id: string,
  props: { description: string; keySpec: KeySpec },
): Key {
  return new Key(scope, id, {
    description: props.description,
    keySpec: props.keySpec,
    keyUsage: KeyUsage.SIGN_VERIFY,
    policy: new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'AccountAdministersButDoesNotSign',
          principals: [new AccountRootPrincipal()],
          actions: [...KEY_ADMIN_ACTIONS],
          resources: ['*'],
        }),
      ],
    }),
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

export interface CertificateSigningKeysProps {
  /** Stage name, part of the alias and the descriptions. */
  readonly stage: string;
  /**
   * Key generations to manage, oldest first; the last signs, the others are retired.
   *
   * @default [1]
   */
  readonly generations?: readonly number[];
  /**
   * ARNs of retired keys not managed here whose certificates must still verify.
   *
   * @default - none
   */
  readonly externalRetiredKeyArns?: readonly string[];
  /**
   * The first generation made as a KMS `SM2` key (the SM2 signature suite, China Regions only);
   * earlier generations stay `ECC_NIST_P256`. A key's spec never changes: a stage moves to SM2
   * by a new generation, and its P-256 keys stay published until their certificates expire.
   *
   * @default - none: every generation is `ECC_NIST_P256` (ES256)
   */
  readonly sm2FromGeneration?: number;
}

/**
 * The certificate signing keys: KMS `ECC_NIST_P256` (or `SM2`) / `SIGN_VERIFY`, one per generation, all
 * retained when removed from the stack (a deleted key would make every certificate it signed
 * unverifiable). Asymmetric keys do not rotate automatically; a rotation appends a generation:
 * the new key signs and takes over the alias, the old one stays published in the JWKS until the
 * last certificate it signed has expired (see `infra/README-deploy.md`).
 */
export class CertificateSigningKeys extends Construct {
  /** The key that signs. */
  readonly current: Key;
  /** Every retired key whose certificates must still verify (managed and external). */
  readonly retired: readonly IKey[];
  /** `alias/dcc-<stage>-certificate-signing`, pointing at the current key (for people, not functions). */
  readonly alias: Alias;

  constructor(scope: Construct, id: string, props: CertificateSigningKeysProps) {
    super(scope, id);
    const generations = props.generations ?? [1];
    if (generations.length === 0) throw new Error('CertificateSigningKeys: at least one generation is needed');

    const keys = generations.map((generation) =>
      retainedSigningKey(this, `Generation${generation}`, {
        description: `Data compliance certificates (${props.stage}): certificate and status list signing key, generation ${generation}`,
        keySpec: props.sm2FromGeneration !== undefined && generation >= props.sm2FromGeneration ? KeySpec.SM2 : KeySpec.ECC_NIST_P256,
      }),
    );

    this.current = keys[keys.length - 1] as Key;
    const external = (props.externalRetiredKeyArns ?? []).map((arn, i) => Key.fromKeyArn(this, `ExternalRetired${i}`, arn));
    this.retired = [...keys.slice(0, -1), ...external];
    // A sibling of the keys (not a child of one) so that a rotation moves the alias in place
    // instead of creating a second alias of the same name.
    this.alias = new Alias(this, 'Alias', {
      aliasName: `alias/dcc-${props.stage}-certificate-signing`,
      targetKey: this.current,
    });
  }
}
