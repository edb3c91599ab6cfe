// A labelled form field with its hint and the server's message for it, tied together for screen readers.
import type { ComponentChildren } from 'preact';

export interface FieldProps {
  readonly id: string;
  readonly label: string;
  readonly hint?: ComponentChildren;
  /** The server's message for this field, shown under it and announced with it. */
  readonly error?: string | undefined;
  readonly required?: boolean;
  /** The control; it gets id, aria-describedby and aria-invalid from `describedBy` below. */
  readonly children: (a11y: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean; required?: boolean }) => ComponentChildren;
}

export function Field({ id, label, hint, error, required, children }: FieldProps) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : undefined, error ? errorId : undefined].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' field--invalid' : ''}`}>
      <label for={id}>
        {label}
        {required ? <span class="required"> (required)</span> : null}
      </label>
      {hint ? (
        <p id={hintId} class="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} class="field-error">
          <span class="visually-hidden">Error: </span>
          {error}
        </p>
      ) : null}
      {children({ id, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(error ? { 'aria-invalid': true } : {}), ...(required ? { required: true } : {}) })}
    </div>
  );
}
