// Every page's heading: sets the document title and, after moving from one page to another inside the
// portal, takes focus, so keyboard and screen-reader users land on the new page's name rather than where
// the old page's link was. The first page of a visit leaves focus alone: the browser starts at the top,
// where "Skip to content" is the first stop.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

let firstPageShown = false;

export function Page({ title, intro, children }: { readonly title: string; readonly intro?: ComponentChildren; readonly children?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · jitd`;
    if (firstPageShown) heading.current?.focus();
    firstPageShown = true;
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1} ref={heading}>
        {title}
      </h1>
      {intro ? <p class="intro">{intro}</p> : null}
      {children}
    </section>
  );
}
