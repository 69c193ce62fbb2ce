// Source transforms of our Lit elements for the size budget, used by the Vite build.
// `compileLitDecorators` turns the decorators (`@customElement`, `@property`/`@state` on `accessor`
// members) into what they stand for: `static properties`, constructor initializers and
// `customElements.define`. Standard decorators would otherwise need a ~1.2 kB (gzip) runtime helper
// from the TypeScript lowering. The browser tests use it too, so they run what ships.
// `minifyLitTemplates` squeezes the whitespace out of `html` and `css` templates.
import ts from 'typescript';

const REACTIVE = new Set(['property', 'state']);

function decoratorCall(decorator) {
  const call = decorator.expression;
  return ts.isCallExpression(call) && ts.isIdentifier(call.expression)
    ? { name: call.expression.text, args: call.arguments }
    : null;
}

/** Returns the rewritten source, or null when the file has no decorator to compile. */
export function compileLitDecorators(code, fileName = 'element.ts') {
  if (!/@(customElement|property|state)\(/.test(code)) return null;
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits = []; // [start, end, text]
  const text = (node) => node.getText(source);

  const visitClass = (node) => {
    const properties = [];
    const initializers = [];
    let tag = null;
    for (const decorator of ts.getDecorators(node) ?? []) {
      const call = decoratorCall(decorator);
      if (call?.name !== 'customElement') continue;
      tag = text(call.args[0]);
      edits.push([decorator.getStart(source), decorator.getEnd(), '']);
    }
    for (const member of node.members) {
      const decorators = ts.canHaveDecorators(member) ? (ts.getDecorators(member) ?? []) : [];
      const call = decorators.length === 1 ? decoratorCall(decorators[0]) : null;
      if (!call || !REACTIVE.has(call.name)) continue;
      const isAccessor = member.modifiers?.some((m) => m.kind === ts.SyntaxKind.AccessorKeyword);
      if (!ts.isPropertyDeclaration(member) || !isAccessor)
        throw new Error(`${fileName}: @${call.name} is only compiled on \`accessor\` fields`);
      const name = text(member.name);
      const options = call.args[0] ? text(call.args[0]) : '{}';
      properties.push(`${name}: ${call.name === 'state' ? '{ state: true }' : options}`);
      if (member.initializer) initializers.push(`this.${name} = ${text(member.initializer)};`);
      edits.push([member.getStart(source), member.getEnd(), `declare ${name};`]);
    }
    const open = node.members.pos; // just after the class body's `{`
    const parts = [];
    if (properties.length) parts.push(`static properties = { ${properties.join(', ')} };`);
    if (initializers.length) parts.push(`constructor() { super(); ${initializers.join(' ')} }`);
    if (parts.length) edits.push([open, open, ` ${parts.join(' ')}`]);
    if (tag)
      edits.push([node.getEnd(), node.getEnd(), `\ncustomElements.define(${tag}, ${node.name.text});`]);
  };

  const visit = (node) => {
    if (ts.isClassDeclaration(node)) visitClass(node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (edits.length === 0) return null;
  let out = code;
  for (const [start, end, replacement] of edits.sort((a, b) => b[0] - a[0] || b[1] - a[1]))
    out = out.slice(0, start) + replacement + out.slice(end);
  // The decorators are gone, so is their import (only these three may be imported).
  return out.replace(/import \{ ((customElement|property|state)(, )?)+ \} from 'lit\/decorators\.js';\n/, '');
}

/** Returns the source with the whitespace of its `html` and `css` tagged templates squeezed. */
export function minifyLitTemplates(code, fileName = 'element.ts') {
  if (!/\b(html|css)`/.test(code)) return code;
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits = [];
  const visit = (node) => {
    if (
      ts.isTaggedTemplateExpression(node) &&
      ts.isIdentifier(node.tag) &&
      /^(html|css)$/.test(node.tag.text)
    ) {
      const squeeze = node.tag.text === 'css' ? squeezeCss : squeezeHtml;
      const template = node.template;
      const literals = ts.isNoSubstitutionTemplateLiteral(template)
        ? [template]
        : [template.head, ...template.templateSpans.map((span) => span.literal)];
      for (const literal of literals) {
        const start = literal.getStart(source);
        const end = literal.getEnd();
        edits.push([start, end, squeeze(code.slice(start, end))]);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let out = code;
  for (const [start, end, replacement] of edits.sort((a, b) => b[0] - a[0])) {
    out = out.slice(0, start) + replacement + out.slice(end);
  }
  return out;
}

/**
 * Whitespace with a line break means nothing in our templates (their containers are flex boxes): it
 * goes next to a tag, and becomes one space elsewhere (between attributes, between two bindings).
 * Whitespace before a tag's `>` goes too, and static attribute values that need no quotes lose them.
 */
function squeezeHtml(text) {
  return text
    .replace(/\s*\n\s*/g, (space, at) => (text[at - 1] === '>' || text[at + space.length] === '<' ? '' : ' '))
    .replace(/\s+>/g, '>')
    .replace(/(\s[\w-]+)="([\w-]+)"/g, '$1=$2');
}

/** Whitespace, quotes around identifiers in attribute selectors, leading zeros of fractions. */
function squeezeCss(text) {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s*([{}:;,>])\s*/g, '$1')
    .replace(/;}/g, '}')
    .replace(/\[([\w-]+)='([a-z][\w-]*)'\]/gi, '[$1=$2]')
    .replace(/([^\w.#-])0\.(\d)/g, '$1.$2');
}
