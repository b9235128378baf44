#!/usr/bin/env node
// Container healthcheck: GET /healthz on the metrics listener of this container (loopback).
// It sends no token and reads nothing but the status, so the loopback TLS certificate is not
// verified here (its name is the service's, not 127.0.0.1); Prometheus verifies it properly.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';

const port = Number(process.env.GATEWAY_METRICS_PORT ?? 9464);
const tls = Boolean(process.env.GATEWAY_METRICS_CERT_FILE);
const request = tls ? httpsRequest : httpRequest;
const req = request({ host: '127.0.0.1', port, path: '/healthz', timeout: 4000, rejectUnauthorized: false }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy());
req.on('error', () => process.exit(1));
req.end();
