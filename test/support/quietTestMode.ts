// @azure/functions warns once per registration when no host is present; that noise hides real output.
const originalWarn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('test mode')) return;
  originalWarn(...args);
};
