/**
 * Where Enter goes in the entry form: to the next field that still needs something, skipping
 * what the NIR, the pharmacy's habits or the clock already filled and what is optional (marked
 * `data-optional`); Tab still visits every field. A NIR reader ends with Enter, so Enter never
 * sends a half-filled form: with nothing left to fill, the caller moves to the save button.
 */

const isRadio = (el: Element): el is HTMLInputElement => el instanceof HTMLInputElement && el.type === 'radio';

function radioGroup(form: HTMLFormElement, name: string): HTMLInputElement[] {
  return [...form.querySelectorAll<HTMLInputElement>('input[type="radio"]')].filter((r) => r.name === name);
}

/** The controls Tab would visit, a radio group once (at its checked, or first, choice). */
function stops(form: HTMLFormElement): HTMLElement[] {
  return [...form.querySelectorAll<HTMLElement>('input, select, textarea, button')].filter((el) => {
    if ((el as HTMLInputElement).disabled || el.closest('details:not([open]) > :not(summary)')) return false;
    if (!isRadio(el)) return true;
    const group = radioGroup(form, el.name);
    return el === (group.find((r) => r.checked) ?? group[0]);
  });
}

/** Whether a control still needs the person: empty and not optional, or marked invalid. */
function needs(form: HTMLFormElement, el: HTMLElement): boolean {
  if (el.getAttribute('aria-invalid') === 'true') return true;
  if (el.closest('[data-optional]') || el instanceof HTMLButtonElement) return false;
  if (isRadio(el)) return !radioGroup(form, el.name).some((r) => r.checked);
  if (el instanceof HTMLInputElement) return el.type !== 'checkbox' && el.value === '';
  return (el as HTMLSelectElement).value === '';
}

/** The next control after `from` that needs the person, if any. */
export function nextNeeded(form: HTMLFormElement, from: Element): HTMLElement | undefined {
  const all = stops(form);
  const here = all.findIndex((el) => el === from || (isRadio(from) && isRadio(el) && el.name === from.name));
  return all.slice(here + 1).find((el) => needs(form, el));
}
