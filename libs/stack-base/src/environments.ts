/** Environment variable that limits which environments an app synthesizes (comma separated). */
export const ENVIRONMENTS_ENV_VAR = 'CACHE_PLATFORM_ENVIRONMENTS';

/**
 * The environments an app should synthesize: all of them, or those named in
 * CACHE_PLATFORM_ENVIRONMENTS (so `CACHE_PLATFORM_ENVIRONMENTS=dev nx run-many -t deploy` never
 * touches prod). An unknown name is an error, never an empty deploy.
 */
export function selectEnvironments<T>(all: Readonly<Record<string, T>>, env: NodeJS.ProcessEnv = process.env): Array<[string, T]> {
  const known = Object.keys(all);
  const wanted = (env[ENVIRONMENTS_ENV_VAR] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (wanted.length === 0) return Object.entries(all);
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Error(`invalid ${ENVIRONMENTS_ENV_VAR} ${JSON.stringify(env[ENVIRONMENTS_ENV_VAR])}: unknown environment(s) ${unknown.join(', ')}; this app defines ${known.join(', ')}`);
  }
  return Object.entries(all).filter(([name]) => wanted.includes(name));
}
