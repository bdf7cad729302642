// Removes dist/ before `npm pack` builds it again (prepack, then prepare): the tarball then
// carries exactly what the current sources compile to, never a module whose source is gone.
import { rmSync } from "node:fs";

rmSync(new URL("../dist/", import.meta.url), { recursive: true, force: true });
