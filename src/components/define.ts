/**
 * Defines `tag` as `element`, once: a tag already defined by the same class is left as it is, and one
 * defined by another class (a second copy of the kit in the page, e.g. from another bundle) is kept with a
 * warning instead of the registry's exception.
 */
export function define(tag: string, element: CustomElementConstructor): void {
  const defined = customElements.get(tag);
  if (!defined) customElements.define(tag, element);
  else if (defined !== element)
    console.warn(`<${tag}> was defined by another copy of dyte-recording-kit: that one is used.`);
}
