/**
 * The cold-start floor: a function that does nothing but what every container of ours must do
 * before its first request, building the SDK clients the functions' container builds (DynamoDB
 * with the document client, and KMS) with the same options. The benchmark bundles it as the
 * functions are bundled and compares each function's start-up with its.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkClientOptions } from '#shared/app/sdk-options.ts';

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient(sdkClientOptions('dynamodb')), { marshallOptions: { removeUndefinedValues: true } });
const kms = new KMSClient(sdkClientOptions('kms'));

export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 200,
  body: String(typeof dynamodb.send === 'function' && typeof kms.send === 'function'),
});
