// Swagger UI's files, imported as text (`with { type: "text" }`): Bun inlines them into bundles
// and compiled binaries, so the docs page needs neither the network nor node_modules at run time.
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const source: string;
  export default source;
}

declare module "swagger-ui-dist/swagger-ui.css" {
  const stylesheet: string;
  export default stylesheet;
}
