import { ApiMapping, DomainName, type IHttpApi, type IStage, SecurityPolicy } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { CustomDomainConfig } from '../config.ts';

/** Properties of {@link CustomDomain}. */
export interface CustomDomainProps {
  /** The name, and where its certificate and DNS come from. */
  readonly config: CustomDomainConfig;
  readonly api: IHttpApi;
  /** The stage the name serves (mapped at the root path). */
  readonly stage: IStage;
}

/**
 * The API under a name of its own: a regional API Gateway custom domain (TLS 1.2 at least) with
 * the stage mapped at its root, so `https://<name>/v1/...` is `<ApiUrl>/v1/...`. The certificate is
 * the one named by ARN, or a new one validated by DNS in the given hosted zone; with a hosted zone
 * the name also gets its alias record. The zone is not looked up (the stack makes no look-ups):
 * its id and name come from the configuration.
 */
export class CustomDomain extends Construct {
  readonly domainName: DomainName;
  readonly certificate: ICertificate;
  /** `https://<name>`, no trailing slash. */
  readonly url: string;
  /** The alias record, when a hosted zone was given. */
  readonly record: ARecord | undefined;

  constructor(scope: Construct, id: string, props: CustomDomainProps) {
    super(scope, id);
    const { config } = props;
    const zone = config.hostedZone
      ? HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: config.hostedZone.id, zoneName: config.hostedZone.name })
      : undefined;

    if (config.certificateArn !== undefined) {
      this.certificate = Certificate.fromCertificateArn(this, 'Certificate', config.certificateArn);
    } else if (zone) {
      this.certificate = new Certificate(this, 'Certificate', {
        domainName: config.domainName,
        validation: CertificateValidation.fromDns(zone),
      });
    } else {
      // The configuration refuses this; kept as a guard for direct use of the construct.
      throw new Error('CustomDomain: a certificate ARN or a hosted zone is needed');
    }

    this.domainName = new DomainName(this, 'DomainName', {
      domainName: config.domainName,
      certificate: this.certificate,
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    new ApiMapping(this, 'Mapping', { api: props.api, domainName: this.domainName, stage: props.stage });
    this.url = `https://${config.domainName}`;

    this.record = zone
      ? new ARecord(this, 'AliasRecord', {
          zone,
          // Absolute (trailing dot): the record is the custom domain itself, whatever the zone.
          recordName: `${config.domainName}.`,
          target: RecordTarget.fromAlias(
            new ApiGatewayv2DomainProperties(this.domainName.regionalDomainName, this.domainName.regionalHostedZoneId),
          ),
        })
      : undefined;
  }
}
