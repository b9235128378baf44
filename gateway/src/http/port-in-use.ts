/** Thrown when a port the operator chose is taken; the message names it. */
export class PortInUse extends Error {
  constructor(readonly port: number, what: string) {
    super(`Port ${port} (${what}) is already in use. Stop what uses it or choose another port.`);
  }
}
