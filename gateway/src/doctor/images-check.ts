import { ok, skip, warn, type CheckResult } from './report.js';

// Pinned: the engine pulls the bytes of this digest, whatever the tag points to later.
const PINNED = /^[^@\s]+@sha256:[0-9a-f]{64}$/;

/**
 * One line per third-party image the deployment files say they started
 * (`GATEWAY_DEPLOYMENT_IMAGES`, which compose.yaml and deploy/kustomization.yaml fill from
 * deploy/images.env): a warning for each one not pinned by digest. It reports what the files asked
 * the engine for, not what the engine pulled: the gateway has no access to the container engine,
 * and must not have any (its socket is root on the host).
 * @example checks.push(...checkImages(settings.deployment.images));
 */
export function checkImages(images: string | undefined): CheckResult[] {
  if (!images) return [skip('images', 'GATEWAY_DEPLOYMENT_IMAGES is not set: the deployment does not say which images it runs')];
  return images
    .split(',')
    .map((reference) => reference.trim())
    .filter(Boolean)
    .map((reference) =>
      PINNED.test(reference)
        ? ok(`image ${reference.split('@')[0]}`, 'pinned by digest')
        : warn(`image ${reference}`, 'not pinned by digest: the registry decides what this tag runs', 'run deploy/pin-images, then start again with `--env-file deploy/images.env` (Kubernetes: `kubectl apply -k deploy`)'),
    );
}
