import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A CloudFormation resource as it appears in a synthesized template. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[];
}

/** A synthesized template. */
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** One IAM statement as CDK renders it. */
export interface CfnStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
  Sid?: string;
}

/** The context of `cdk.json` (feature flags and defaults), so tests synthesize with the same flags as `npm run synth`. */
export function cdkJsonContext(root: string): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/** Logical ids of the resources of one type. */
export function idsOfType(template: CfnTemplate, type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
}

/** The single resource of a type matching `where`; throws when there is not exactly one. */
export function onlyResource(
  template: CfnTemplate,
  type: string,
  where: (r: CfnResource) => boolean = () => true,
): [string, CfnResource] {
  const found = Object.entries(template.Resources).filter(([, r]) => r.Type === type && where(r));
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0] as [string, CfnResource];
}

/** `{ "Fn::GetAtt": [id, "Arn"] }`. */
export function arnOf(logicalId: string): unknown {
  return { 'Fn::GetAtt': [logicalId, 'Arn'] };
}

/** `{ Ref: id }`. */
export function ref(logicalId: string): unknown {
  return { Ref: logicalId };
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Every permission of a role, flattened to one canonical string per (effect, action, resource,
 * condition), from both its inline policies and every AWS::IAM::Policy attached to it. Comparing
 * these sets exactly is what makes a widened grant fail a test.
 */
export function permissionsOfRole(template: CfnTemplate, roleId: string): string[] {
  const role = template.Resources[roleId];
  if (!role || role.Type !== 'AWS::IAM::Role') throw new Error(`${roleId} is not a role`);
  const inline = asArray(role.Properties?.['Policies'] as { PolicyDocument: { Statement: CfnStatement[] } }[] | undefined);
  const attached = Object.values(template.Resources).filter(
    (r) =>
      r.Type === 'AWS::IAM::Policy' &&
      asArray(r.Properties?.['Roles'] as unknown[] | undefined).some((x) => JSON.stringify(x) === JSON.stringify(ref(roleId))),
  );
  const statements = [
    ...inline.flatMap((p) => p.PolicyDocument.Statement),
    ...attached.flatMap((p) => (p.Properties?.['PolicyDocument'] as { Statement: CfnStatement[] }).Statement),
  ];
  return canonicalPermissions(statements);
}

/** {@link permissionsOfRole} for a list of statements. */
export function canonicalPermissions(statements: readonly CfnStatement[]): string[] {
  const out: string[] = [];
  for (const s of statements) {
    for (const action of asArray(s.Action)) {
      for (const resource of asArray(s.Resource as unknown)) {
        out.push(permission(s.Effect, action, resource, s.Condition));
      }
    }
  }
  return out.sort();
}

/** One canonical permission string. */
export function permission(effect: 'Allow' | 'Deny', action: string, resource: unknown, condition?: unknown): string {
  return `${effect} ${action} ON ${JSON.stringify(resource)}${condition === undefined ? '' : ` IF ${JSON.stringify(condition)}`}`;
}

/**
 * Renders a CloudFormation value with intrinsics as a string (`{Ref: X}` → `<X>`, GetAtt →
 * `<X.Attr>`, Fn::Join joined), so that equivalent encodings of the same value compare equal.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v['Ref'] === 'string') return `<${v['Ref']}>`;
    const getAtt = v['Fn::GetAtt'] as [string, string] | undefined;
    if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
    const join = v['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map(render).join(join[0]);
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}
