// Removes dist/ before `npm pack` compiles it again (prepack): the tarball then carries exactly
// what the current sources compile to, never a module whose source is gone. (The package has no
// `prepare` script: npm counts it as an install script of the tarball, warns about it on every
// install, and it could not run there anyway, without TypeScript and the sources.)
import { rmSync } from "node:fs";

rmSync(new URL("../dist/", import.meta.url), { recursive: true, force: true });
