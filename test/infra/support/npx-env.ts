/**
 * The environment minus what an enclosing `npx -p <pkg> -c '<command>'` leaves behind. CI runs
 * the tests on Node 24 that way; npm reads `npm_config_call` and `npm_config_package` from the
 * environment, so a nested `npx` (`cdk.json` runs `npx tsx`) would take the outer call for its
 * own and fail with EUSAGE.
 */
export function withoutEnclosingNpxCall(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { npm_config_call: _call, npm_config_package: _package, ...rest } = env;
  return rest;
}
