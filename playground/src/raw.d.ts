// Vite's ?raw imports: a file's text, bundled (the example tables are loaded this way, in their own chunk).
declare module '*?raw' {
  const text: string;
  export default text;
}
