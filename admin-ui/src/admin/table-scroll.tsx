import type { ReactNode } from 'react';

/**
 * A wide table that scrolls sideways on its own, so the page never does (390 px phones). It takes
 * the focus, so a keyboard can scroll it too, and is named for screen readers.
 */
export function TableScroll(props: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" tabIndex={0} role="group" aria-label={props.label}>
      {props.children}
    </div>
  );
}
