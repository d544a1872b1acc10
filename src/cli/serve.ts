// tetri serve: runs the gateway, exactly as `npm start` does (configured by the environment).

import type { CommandGroup } from "./command.ts";

export const serveCommands: CommandGroup = {
  name: "serve",
  commands: [
    {
      name: "serve",
      synopsis: "",
      summary: "Runs the gateway on HOST:PORT (default 127.0.0.1:8080), configured by the environment (README: Configuration).",
      help: ["SIGTERM or SIGINT (Ctrl-C) stops it gracefully; a second signal at once."],
      async run() {
        await import("../main.ts");
      },
    },
  ],
};
