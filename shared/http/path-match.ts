// API Gateway HTTP API route matching: `{name}` matches one path segment, `{name+}` the rest of the
// path. Used by the $default fallback (404 vs 405) and by the local runner to pick a route.

export interface PathMatcher {
  template: string;
  match(path: string): Record<string, string> | undefined;
}

export function compilePath(template: string): PathMatcher {
  const names: string[] = [];
  const pattern = template
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)(\+)?\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1] as string);
      return param[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  const regex = new RegExp(`^${pattern}$`);
  return {
    template,
    match(path) {
      const found = regex.exec(path);
      if (!found) return undefined;
      return Object.fromEntries(names.map((name, i) => [name, found[i + 1] as string]));
    },
  };
}

/** API Gateway prefers the route with the most literal segments; ties go to the longer template. */
export function specificity(template: string): number {
  const segments = template.split('/');
  const literal = segments.filter((s) => !s.startsWith('{')).length;
  return literal * 1000 + template.length;
}
