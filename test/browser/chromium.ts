// Debian's Chromium, as Playwright should launch it here: Playwright's own browser download cannot reach
// its host, and without the background-networking flags Chromium keeps dialling out to a closed network.

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
