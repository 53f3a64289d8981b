import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { measureOpen } from '../bench/load.js';

/** A server that answers one request at a time, each after `serviceMs`: a queue that shows when it fills. */
async function serialServer(serviceMs: number) {
  let busyUntil = 0;
  const server = http.createServer((req, res) => {
    const now = Date.now();
    busyUntil = Math.max(now, busyUntil) + serviceMs;
    setTimeout(() => {
      if (req.url === '/fail') res.statusCode = 500;
      res.end('ok');
    }, busyUntil - now);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let close: () => Promise<void> = async () => {};
afterEach(() => close());

describe('the open-loop load generator', () => {
  it('keeps sending on schedule while answers are slow, and counts latency from the scheduled start', async () => {
    // 100 arrivals a second for a server that answers 50: the queue grows by 50 a second.
    const server = await serialServer(20);
    close = server.close;
    const m = await measureOpen({
      url: server.url,
      rate: 100,
      duration: 1,
      arrivals: 'even',
      headers: {},
      next: () => ({ path: '/', label: 'get' }),
    });
    const latencies = m.latencies.get('get')!.sort((a, b) => a - b);
    expect(m.scheduled).toBeGreaterThanOrEqual(99);
    expect(m.scheduled).toBeLessThanOrEqual(101);
    expect(m.requests).toBe(m.scheduled);
    expect(m.errors).toBe(0);
    // A closed loop of one connection would see 20 ms each; the last arrivals waited behind ≈ 50 others.
    expect(latencies[0]!).toBeLessThan(100);
    expect(latencies[latencies.length - 1]!).toBeGreaterThan(800);
    expect(m.peakInFlight).toBeGreaterThan(30);
    expect(m.connections).toBe(m.peakInFlight);
    // Achieved: answers over the time until the last one, the server's 50 a second.
    expect(m.rps).toBeGreaterThan(40);
    expect(m.rps).toBeLessThan(60);
  });

  it('counts an arrival beyond the in-flight cap as an error, not sent', async () => {
    const server = await serialServer(100);
    close = server.close;
    const m = await measureOpen({
      url: server.url,
      rate: 50,
      duration: 1,
      arrivals: 'even',
      maxInFlight: 5,
      headers: {},
      next: () => ({ path: '/', label: 'get' }),
    });
    expect(m.peakInFlight).toBe(5);
    expect(m.capped).toBeGreaterThan(30);
    expect(m.errors).toBe(m.capped);
    expect(m.failures.get('get')).toBe(m.capped);
    expect(m.requests + m.capped).toBe(m.scheduled);
  });

  it('offers Poisson arrivals at the asked mean rate, answers with their status, and leaves warm-up out', async () => {
    const server = await serialServer(0);
    close = server.close;
    let i = 0;
    const seen: number[] = [];
    const m = await measureOpen({
      url: server.url,
      rate: 200,
      duration: 2,
      warmUp: 0.5,
      headers: {},
      next: () => {
        const fail = i++ % 10 === 0;
        return {
          path: fail ? '/fail' : '/',
          label: fail ? 'bad' : 'good',
          detail: 'd',
          onResponse: (status) => seen.push(status),
        };
      },
    });
    // 400 expected; a Poisson count's standard deviation is 20.
    expect(m.scheduled).toBeGreaterThan(320);
    expect(m.scheduled).toBeLessThan(480);
    expect(m.requests).toBe(m.scheduled);
    expect(m.non2xx).toBe(m.latencies.get('bad')!.length);
    expect(m.failures.get('bad')).toBe(m.non2xx);
    expect(m.details.get('good · d')!.length).toBe(m.latencies.get('good')!.length);
    // onResponse sees the warm-up's answers too; the counts do not.
    expect(seen.length).toBeGreaterThan(m.requests);
    expect(seen.filter((s) => s === 500).length).toBeGreaterThanOrEqual(m.non2xx);
  });
});
