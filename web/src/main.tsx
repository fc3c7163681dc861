import { render } from 'preact';
import { App } from './app';
import { takeTokenFromFragment } from './auth';
import './styles.css';

takeTokenFromFragment(window.location, window.history);

/** The API's address from the deployment's config.json; empty means this page's own origin. */
async function apiUrl(): Promise<string> {
  try {
    const response = await fetch('./config.json', { cache: 'no-store' });
    if (response.ok) {
      const config = (await response.json()) as { apiUrl?: string };
      if (config.apiUrl) return config.apiUrl.replace(/\/$/, '');
    }
  } catch {
    // No config file: the API is on this origin.
  }
  return window.location.origin;
}

const root = document.getElementById('app');
if (root) render(<App baseUrl={await apiUrl()} />, root);
