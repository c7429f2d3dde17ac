/**
 * `hepllm tokenize --model <dir> --text <text>`: prints the token ids of a text as a JSON array,
 * with the model folder's tokenizer (a folder may hold only tokenizer.json + tokenizer_config.json).
 */
import { parseArgs } from "node:util";
import { Command } from "../command";
import { required } from "../args";
import { loadTokenizer } from "../../tokenizer/hf-tokenizer";

const usage = `usage: hepllm tokenize --model <dir> --text <text> [--no-bos] [--eos] [--tokens]

  --model <dir>   folder with tokenizer.json (+ tokenizer_config.json)
  --text <text>   the text to encode (special tokens such as [INST] become their ids)
  --no-bos        do not prepend BOS (default: as tokenizer_config.json's add_bos_token)
  --eos           append EOS
  --tokens        also print the token strings (second line)`;

export const command: Command = {
  name: "tokenize",
  summary: "print the token ids of a text as a JSON array",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: "string" },
        text: { type: "string" },
        "no-bos": { type: "boolean", default: false },
        eos: { type: "boolean", default: false },
        tokens: { type: "boolean", default: false },
      },
      strict: true,
    });
    const dir = required(values, "model");
    if (typeof values.text !== "string") required(values, "text");
    const tok = loadTokenizer(dir);
    const ids = tok.encode(values.text as string, { bos: tok.addBosByDefault && !values["no-bos"], eos: values.eos || tok.addEosByDefault });
    console.log(JSON.stringify(ids));
    if (values.tokens) console.log(JSON.stringify(ids.map((id) => tok.idToToken(id))));
    return 0;
  },
};
