// The one place argv becomes shell text. Commands are built as argv arrays everywhere else;
// only an operator-facing message or a remote shell needs a string.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument for a POSIX shell. */
export function shellQuote(arg: string): string {
    if (arg !== "" && SAFE.test(arg)) return arg;
    return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Renders an argv array as one POSIX shell command line. */
export function shellJoin(argv: readonly string[]): string {
    return argv.map(shellQuote).join(" ");
}
