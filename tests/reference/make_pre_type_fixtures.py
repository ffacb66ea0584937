#!/usr/bin/env python3
"""Regenerates tests/fixtures/tokenizers/gguf_pre_types/expected.json: for each pre-tokenizer type
of src/tokenizer/gguf_pre_types.cpp that llama.cpp's own vocabulary test vectors do not cover, the
ids that the Hugging Face `tokenizers` library gives for a set of texts, with the pre-tokenizer that
the family's tokenizer.json uses (written out below as that library's components).

All types share one byte-level BPE vocabulary, trained here without any word splitting (so its merges
cross spaces, digits, punctuation and scripts and every difference between pre-tokenizers shows in
the ids). The C++ test (tests/tokenizer/gguf_pre_types_test.cpp) writes a GGUF vocabulary with
these tokens and merges and the type's tokenizer.ggml.pre name, and must reproduce every id.

    /tmp/refenv/bin/python tests/reference/make_pre_type_fixtures.py
"""
import json
import pathlib

from tokenizers import Regex, Tokenizer, models, pre_tokenizers as pt, trainers

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "tokenizers" / "gguf_pre_types" / "expected.json"

GPT2 = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
          r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2 = LLAMA3.replace(r"\p{N}{1,3}", r"\p{N}")
TEKKEN = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|"
          r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}|"
          r" ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")
CONTRACTIONS = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
GPT4O = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+" +
         CONTRACTIONS + r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+"
         r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]*" + CONTRACTIONS +
         r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")
BAILING = (r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]++[\r\n]*|"
           r"\s*[\r\n]|\s+(?!\S)|\s+")
SEED_CODER = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}|"
              r" ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+")
# BLOOM's tokenizer.json has a class nested in its class (a union in Oniguruma).
BLOOM = r" ?[^(\s|[.,!?…。，、।۔،])]+"
DEEPSEEK3_MAIN = (r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?"
                  r"[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
CJK = "[一-龥ࠀ-一가-퟿]+"
# DeepSeek-LLM's cased letters (Latin, Greek, Cyrillic, ... ; code points written out).
DEEPSEEK_LLM_LETTERS = (
    "\\s?[A-Za-z\U000000b5\U000000c0-\U000000d6\U000000d8-\U000000f6\U000000f8-\U000001ba"
    "\U000001bc-\U000001bf\U000001c4-\U00000293\U00000295-\U000002af\U00000370-\U00000373"
    "\U00000376\U00000377\U0000037b-\U0000037d\U0000037f\U00000386\U00000388-\U0000038a"
    "\U0000038c\U0000038e-\U000003a1\U000003a3-\U000003f5\U000003f7-\U00000481\U0000048a-"
    "\U0000052f\U00000531-\U00000556\U000010a0-\U000010c5\U000013a0-\U000013f5\U000013f8-"
    "\U000013fd\U00001c90-\U00001cba\U00001cbd-\U00001cbf\U00001d00-\U00001d2b\U00001d6b-"
    "\U00001d77\U00001d79-\U00001d9a\U00001e00-\U00001f15\U00001f18-\U00001f1d\U00001f20-"
    "\U00001f45\U00001f48-\U00001f4d\U00001f50-\U00001f57\U00001f59\U00001f5b\U00001f5d"
    "\U00001f5f-\U00001f7d\U00001f80-\U00001fb4\U00001fb6-\U00001fbc\U00001fbe\U00001fc2-"
    "\U00001fc4\U00001fc6-\U00001fcc\U00001fd0-\U00001fd3\U00001fd6-\U00001fdb\U00001fe0-"
    "\U00001fec\U00001ff2-\U00001ff4\U00001ff6-\U00001ffc\U00002102\U00002107\U0000210a-"
    "\U00002113\U00002115\U00002119-\U0000211d\U00002124\U00002126\U00002128\U0000212a-"
    "\U0000212d\U0000212f-\U00002134\U00002139\U0000213c-\U0000213f\U00002145-\U00002149"
    "\U0000214e\U00002183\U00002184\U00002c00-\U00002c7b\U00002c7e-\U00002ce4\U00002ceb-"
    "\U00002cee\U00002cf2\U00002cf3\U0000a640-\U0000a66d\U0000a680-\U0000a69b\U0000a722-"
    "\U0000a76f\U0000a771-\U0000a787\U0000a78b-\U0000a78e\U0000ab70-\U0000abbf\U0000fb00-"
    "\U0000fb06\U0000fb13-\U0000fb17\U0000ff21-\U0000ff3a\U0000ff41-\U0000ff5a\U00010400-"
    "\U0001044f\U000104b0-\U000104d3\U000104d8-\U000104fb\U00010c80-\U00010cb2\U00010cc0-"
    "\U00010cf2\U000118a0-\U000118df\U0001e900-\U0001e943]+")


def split(pattern):
    return pt.Split(Regex(pattern), "isolated")


def bytes_only():
    return pt.ByteLevel(add_prefix_space=False, use_regex=False)


def gpt2_byte_level():
    return pt.ByteLevel(add_prefix_space=False, use_regex=True)


# tokenizer.ggml.pre name -> (the family's pre-tokenizer, BPE ignore_merges). The names are the
# first of each entry of the table; aliases share it.
TYPES = {
    "default": (pt.Sequence([split(r"[\p{P}\$\+<=>\^~\|]+"), split(GPT2), split(r"\p{N}+"),
                             split("[0-9][0-9][0-9]"), bytes_only()]), False),
    "roberta-bpe": (gpt2_byte_level(), False),
    "llama3": (pt.Sequence([split(LLAMA3), bytes_only()]), True),
    "dbrx": (pt.Sequence([split(LLAMA3), bytes_only()]), False),
    "chatglm-bpe": (pt.Sequence([split(LLAMA3), bytes_only()]), False),
    "qwen2": (pt.Sequence([split(QWEN2), bytes_only()]), False),
    "deepseek-v3": (pt.Sequence([split(r"\p{N}{1,3}"), split("[一-龥぀-ゟ゠-ヿ]+"),
                                 split(DEEPSEEK3_MAIN), bytes_only()]), False),
    "bloom": (pt.Sequence([split(BLOOM), bytes_only()]), False),
    "viking": (pt.Sequence([split(BLOOM), pt.Digits(individual_digits=True), bytes_only()]),
               False),
    "tekken": (pt.Sequence([split(TEKKEN), bytes_only()]), True),
    "chameleon": (pt.Sequence([split("<sentinel:[0-9]+>"), split("(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z"),
                               split("([\t\n]|    |  )"), pt.Digits(individual_digits=True),
                               pt.Punctuation("isolated"), gpt2_byte_level()]), False),
    "gpt-4o": (pt.Sequence([split(GPT4O), bytes_only()]), False),
    "superbpe": (pt.Sequence([split(r"\p{N}+"), split(r"(?=(\d{3})+(?!\d))"), bytes_only()]),
                 False),
    "bailingmoe": (pt.Sequence([split(BAILING), bytes_only()]), False),
    "seed-coder": (pt.Sequence([split(SEED_CODER), bytes_only()]), False),
    # Types that llama.cpp's vectors cover too, checked here as well on other texts.
    "gpt-2": (gpt2_byte_level(), False),
    "falcon": (pt.Sequence([pt.Punctuation("contiguous"), gpt2_byte_level(),
                            pt.Digits(individual_digits=False), split("[0-9][0-9][0-9]")]), False),
    "starcoder": (pt.Sequence([pt.Digits(individual_digits=True), gpt2_byte_level()]), False),
    "deepseek-coder": (pt.Sequence([split("[\r\n]"), split(r"\s?\p{L}+"), split(r"\s?\p{P}+"),
                                    split(CJK), pt.Digits(individual_digits=True), bytes_only()]),
                       False),
    "deepseek-llm": (pt.Sequence([split("[\r\n]"), split(DEEPSEEK_LLM_LETTERS),
                                  split(r"\s?[!-/:-~！-／：-～‘-‟　-。]+"), split(r"\s+$"),
                                  split(CJK), pt.Digits(individual_digits=False), bytes_only()]),
                     False),
}

TEXTS = [
    "", " ", "  ", "\t", "\n", "\n\n\n", " \t \n x", "Hello world", " Hello World!",
    "Hello, world! How are you? I'm fine; they've said: we'll see.", "don't DON'T It's I'LL 've",
    "1234567890 3.14159 1,000,000 12 123 1234 +42 -7", "x1y22z333 4444 55555 666666",
    "HelloWorld camelCaseWord XMLHttpRequest iPhone ABCdef", "snake_case-and-kebab/path/to/file.py",
    "Ünïcödé façade naïve café Ångström ß ŉ ﬁ ½ ① Ω K", "Ελληνικά Кириллица עברית العربية हिन्दी।",
    "日本語のテキスト、中文字符。한국어 텍스트 カタカナ ひらがな", "ＦＵＬＬＷＩＤＴＨ ｄｉｇｉｔｓ １２３ ！？",
    "Emoji: 🦙🚀 👩‍👩‍👧 ❤️ 🇫🇷", "tabs\tand\t\tspaces    and\r\nnewlines\n\n", "   leading and trailing   ",
    "if (x == 1) { return y->z[0]; } // done\n    indented\n\tcode();", "$100 + 5% = <tag> ^~|`@#",
    "“quoted” ‘single’ — dash… «guillemets»", "<sentinel:12> IMGIMGABZ IMGIMGABCDEFZ text",
    "end with spaces   \n   ", "end.\n\nNext!!!\n\n}\r\n", "a.b,c!d?e…f。g，h、i", "3.14\n\n\n\n\n   42!!!", "\u00a0\u2003\u3000x",
]


def train_vocab():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = bytes_only()
    trainer = trainers.BpeTrainer(vocab_size=900, show_progress=False,
                                  initial_alphabet=pt.ByteLevel.alphabet(),
                                  special_tokens=["<|bos|>", "<|eos|>", "<|sep|>"])
    tok.train_from_iterator(TEXTS * 3, trainer)
    data = json.loads(tok.to_str())
    vocab = data["model"]["vocab"]
    tokens = [None] * len(vocab)
    for text, i in vocab.items():
        tokens[i] = text
    merges = [m if isinstance(m, str) else " ".join(m) for m in data["model"]["merges"]]
    return tokens, merges


def main():
    tokens, merges = train_vocab()
    vocab = {t: i for i, t in enumerate(tokens)}
    merge_pairs = [tuple(m.split(" ")) for m in merges]
    cases = []
    for name, (pre, ignore_merges) in TYPES.items():
        tok = Tokenizer(models.BPE(vocab, merge_pairs, ignore_merges=ignore_merges))
        tok.pre_tokenizer = pre
        ids = [tok.encode(t, add_special_tokens=False).ids for t in TEXTS]
        cases.append({"pre": name, "ids": ids})
    doc = {"tokens": tokens, "merges": merges, "texts": TEXTS, "types": cases}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=None, separators=(",", ":")) + "\n",
                   "utf-8")
    print(f"{OUT}: {len(tokens)} tokens, {len(merges)} merges, {len(cases)} types")


if __name__ == "__main__":
    main()
