// The dashboard's security headers, one definition for the local runner (infra/local/static-files.ts) and
// CloudFront (infra/web.ts). No CDK import here: `npm start` loads this.

/**
 * Its own scripts, styles and API only: no inline code (the build emits none), no framing, no plugins.
 * `apiOrigins` widens connect-src to the API where it is on another origin (deployed).
 */
export function contentSecurityPolicy(apiOrigins: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    ["connect-src 'self'", ...apiOrigins].join(' '),
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
