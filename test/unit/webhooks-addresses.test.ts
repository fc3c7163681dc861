// Which addresses a webhook may go to: every non-public range, in every form an attacker can write it.

import { describe, expect, it } from 'vitest';
import { classifyAddress, isAllowedAddress } from '../../shared/webhooks/addresses.js';
import { checkEndpointUrl } from '../../shared/webhooks/domain.js';
import { resolveChecked, sendWebhook } from '../../shared/webhooks/transport.js';

const deployed = { allowLoopback: false };
const local = { allowLoopback: true };

describe('classifyAddress', () => {
  it.each([
    ['93.184.216.34', 'public'],
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456:789a::1', 'unique_local'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf::1', 'link_local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'], // Teredo
    // IPv4 inside IPv6: mapped (dotted and hex), compatible, NAT64, 6to4
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['::ffff:a9fe:a9fe', 'link_local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:192.168.0.1', 'private'],
    ['::ffff:100.64.0.1', 'shared'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['::10.1.2.3', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link_local'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:7f00:0001::', 'loopback'],
    ['2002:c0a8:0101::1', 'private'],
    ['2002:0808:0808::1', 'public'],
    ['not an address', 'invalid'],
    ['1.2.3', 'invalid'],
    ['example.com', 'invalid'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('allows loopback only with the local policy, and nothing private under either', () => {
    expect(isAllowedAddress('127.0.0.1', deployed)).toBe(false);
    expect(isAllowedAddress('127.0.0.1', local)).toBe(true);
    expect(isAllowedAddress('::ffff:127.0.0.1', local)).toBe(true);
    for (const address of ['10.0.0.1', '169.254.169.254', 'fd00::1', '0.0.0.0', '::ffff:192.168.0.1'])
      expect(isAllowedAddress(address, local)).toBe(false);
  });
});

describe('checkEndpointUrl', () => {
  it.each([
    ['https://example.com/hooks', null],
    ['https://93.184.216.34:8443/x', null],
    ['http://example.com/hooks', 'https_required'],
    ['ftp://example.com/', 'https_required'],
    ['https://user:pw@example.com/', 'url_credentials'],
    ['https://example.com/#frag', 'url_fragment'],
    ['not a url', 'invalid_url'],
    ['https://127.0.0.1/', 'non_public_address'],
    ['https://localhost/', 'non_public_address'],
    ['https://api.localhost/', 'non_public_address'],
    ['https://[::1]/', 'non_public_address'],
    ['https://169.254.169.254/latest/meta-data/', 'non_public_address'],
    ['https://[::ffff:169.254.169.254]/', 'non_public_address'],
    ['https://10.0.0.1/', 'non_public_address'],
    // The URL parser normalizes these to 127.0.0.1 and 169.254.169.254 first.
    ['https://2130706433/', 'non_public_address'],
    ['https://0x7f.1/', 'non_public_address'],
    ['https://0251.0376.0251.0376/', 'non_public_address'],
    [`https://example.com/${'a'.repeat(2048)}`, 'invalid_url'],
  ])('deployed: %s → %s', (url, problem) => {
    expect(checkEndpointUrl(url, deployed)).toBe(problem);
  });

  it('locally allows http and https to this machine only', () => {
    expect(checkEndpointUrl('http://127.0.0.1:8080/hook', local)).toBeNull();
    expect(checkEndpointUrl('http://localhost:8080/hook', local)).toBeNull();
    expect(checkEndpointUrl('http://[::1]:8080/hook', local)).toBeNull();
    expect(checkEndpointUrl('http://10.0.0.1/hook', local)).toBe('https_required');
    expect(checkEndpointUrl('https://10.0.0.1/hook', local)).toBe('non_public_address');
    expect(checkEndpointUrl('http://example.com/hook', local)).toBe('https_required');
  });
});

describe('resolveChecked (at delivery time)', () => {
  const answers =
    (...addresses: string[]) =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('connects to a checked public address', async () => {
    expect(
      await resolveChecked('hooks.example', { allowLoopback: false, resolve: answers('93.184.216.34') }),
    ).toEqual({
      address: '93.184.216.34',
      family: 4,
    });
  });

  it('refuses a name that resolves to a private address, even among public ones (rebinding, split answers)', async () => {
    for (const evil of ['127.0.0.1', '169.254.169.254', '10.1.1.1', '::1', 'fd00::5', '::ffff:10.0.0.1']) {
      const result = await resolveChecked('rebind.example', {
        allowLoopback: false,
        resolve: answers('93.184.216.34', evil),
      });
      expect(result).toHaveProperty('error');
      expect((result as { error: string }).error).toContain(evil);
    }
  });

  it('refuses address literals that are not public, and reports DNS failures as such', async () => {
    expect(await resolveChecked('[::1]', { allowLoopback: false })).toHaveProperty('error');
    expect(await resolveChecked('127.0.0.1', { allowLoopback: true })).toEqual({
      address: '127.0.0.1',
      family: 4,
    });
    const failing = async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    };
    expect(await resolveChecked('missing.example', { allowLoopback: false, resolve: failing })).toEqual({
      error: 'DNS lookup failed (ENOTFOUND)',
    });
  });
});

describe('sendWebhook', () => {
  const request = {
    url: 'https://hooks.example/x',
    secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
    messageId: 'msg_1',
    payload: '{}',
    sentAt: new Date(),
  };

  it('counts a DNS server that never answers as a timeout', async () => {
    const never = () => new Promise<never>(() => {});
    expect(await sendWebhook(request, { allowLoopback: false, timeoutMs: 50, resolve: never })).toEqual({
      error: 'timed out after 0.05 s (DNS)',
    });
  });

  it('never connects when any address is refused', async () => {
    const result = await sendWebhook(request, {
      allowLoopback: false,
      timeoutMs: 1_000,
      resolve: async () => [{ address: '169.254.169.254', family: 4 }],
    });
    expect(result).toEqual({
      error: 'refused: hooks.example resolves to 169.254.169.254, not a public address',
    });
  });
});
