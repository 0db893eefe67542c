// jsonc-parser, from its ESM build: the package's `main` is a UMD build whose factory requires './impl/*' at run
// time, which esbuild cannot bundle (the bundle fails with "Cannot find module './impl/format'").
export { applyEdits, findNodeAtLocation, modify, parse, parseTree, printParseErrorCode } from 'jsonc-parser/lib/esm/main.js';
export type { Edit, FormattingOptions, Node as JsonNode, ParseError } from 'jsonc-parser/lib/esm/main.js';
