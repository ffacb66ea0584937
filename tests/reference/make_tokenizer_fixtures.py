#!/usr/bin/env python3
"""Regenerates tests/fixtures/tokenizers/: tokenizer.json files trained locally with the Hugging Face
`tokenizers` library (one per model type and pre-tokenizer pattern that real checkpoints use) and
the ids that library gives for a corpus of WikiText-2 lines, unicode, emoji, digits, whitespace runs
and special tokens. The C++ tests must reproduce every id (tests/tokenizer/hf_parity_test.cpp).

GPT-2's real vocabulary is in ../shared/data/tokenizers/gpt2 and too large to commit: only its
expected ids are written here (gpt2_expected.json); the C++ test rebuilds its tokenizer.json from
vocab.json and merges.txt the same way this script does.

    /tmp/refenv/bin/python tests/reference/make_tokenizer_fixtures.py
"""
import json
import pathlib

from tokenizers import (Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers,
                        processors, trainers)

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "tests" / "fixtures" / "tokenizers"

LLAMA3 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
          r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
         r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
BYTES = [f"<0x{b:02X}>" for b in range(256)]

EXTRA_LINES = [
    "", " ", "  ", "\t", "\n", "\n\n\n", " \t \n x", "Hello world", " Hello World!",
    "Hello, world! How are you? I'm fine; they've said: we'll see.", "1234567890 3.14159 1,000,000",
    "Ünïcödé façade naïve café Ångström ß ŉ ﬁ ½ ①", "日本語のテキスト、中文字符。한국어 텍스트",
    "Emoji: 🦙🚀 👩‍👩‍👧 ❤️ 🇫🇷", "Ελληνικά Кириллица עברית العربية हिन्दी",
    "tabs\tand\t\tspaces    and\r\nnewlines\n\n", "   leading and trailing   ",
    "<s> special <|endoftext|> tokens [CLS] [SEP] <|im_start|>user<|im_end|>",
    "don't DON'T It's I'LL 've", "a" * 300, "x" + "🙂" * 40, "ＦＵＬＬＷＩＤＴＨ ｄｉｇｉｔｓ １２３",
]


def corpus_lines():
    text = (SHARED / "text" / "wikitext2_test.txt").read_text(encoding="utf-8")
    lines = [l for l in text.split("\n") if l.strip()]
    return text, lines


def save(name, tok, cases):
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    write_expected(folder / "expected.json", tok, cases)


def write_expected(path, tok, cases):
    rows = [{"text": t, "ids": tok.encode(t).ids,
             "ids_no_special": tok.encode(t, add_special_tokens=False).ids} for t in cases]
    body = ",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows)
    path.write_text('{"cases": [\n' + body + "\n]}\n", "utf-8")


def train(tok, trainer, text):
    tok.train_from_iterator([text], trainer)
    return tok


def llama3_style(text):
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    train(tok, trainers.BpeTrainer(vocab_size=700, show_progress=False,
                                   initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                   special_tokens=["<|begin_of_text|>", "<|end_of_text|>"]), text)
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A",
                                      special_tokens=[("<|begin_of_text|>", bos)])])
    return tok


def qwen2_style(text):
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return train(tok, trainers.BpeTrainer(vocab_size=700, show_progress=False,
                                          initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                          special_tokens=["<|endoftext|>", "<|im_start|>",
                                                          "<|im_end|>"]), text)


def gpt2_prefix_space(text):
    """ByteLevel with its own regex and add_prefix_space (RoBERTa/OPT-style), RobertaProcessing."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tok.decoder = decoders.ByteLevel()
    train(tok, trainers.BpeTrainer(vocab_size=600, show_progress=False,
                                   initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                   special_tokens=["<s>", "</s>", "<pad>"]), text)
    tok.post_processor = processors.RobertaProcessing(("</s>", 1), ("<s>", 0))
    return tok


def llama2_style(text):
    """SentencePiece-style BPE with byte_fallback, as LLaMA-2 and Mistral's tokenizer.json."""
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"),
                                           normalizers.Replace(" ", "▁")])
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(),
                                     decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    train(tok, trainers.BpeTrainer(vocab_size=900, show_progress=False,
                                   special_tokens=["<unk>", "<s>", "</s>"] + BYTES,
                                   limit_alphabet=60), text)
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    return tok


def metaspace_bpe(text):
    """Metaspace pre-tokenizer (prepend_scheme first, split), NFKC, Digits, end-of-sequence."""
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(),
                                           normalizers.Replace(Regex(r"\s+"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=True)])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first")
    train(tok, trainers.BpeTrainer(vocab_size=700, show_progress=False, limit_alphabet=200,
                                   special_tokens=["<unk>", "<s>", "</s>"]), text)
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>",
                                                       special_tokens=[("<s>", 1), ("</s>", 2)])
    return tok


def bert_style(text):
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    train(tok, trainers.WordPieceTrainer(vocab_size=800, show_progress=False, limit_alphabet=300,
                                         special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]",
                                                         "[MASK]"]), text)
    tok.post_processor = processors.BertProcessing(("[SEP]", 3), ("[CLS]", 2))
    return tok


def whitespace_lowercase(text):
    """Whitespace, Punctuation and Digits pre-tokenizers; NFD, StripAccents, Lowercase, Strip."""
    tok = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##"))
    tok.normalizer = normalizers.Sequence([normalizers.Strip(), normalizers.NFD(),
                                           normalizers.StripAccents(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace(),
                                                 pre_tokenizers.Punctuation(),
                                                 pre_tokenizers.Digits(individual_digits=False)])
    return train(tok, trainers.BpeTrainer(vocab_size=600, show_progress=False, limit_alphabet=200,
                                          continuing_subword_prefix="##",
                                          special_tokens=["[UNK]"]), text)


def unigram_style(text):
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    train(tok, trainers.UnigramTrainer(vocab_size=600, show_progress=False, unk_token="<unk>",
                                       special_tokens=["<unk>", "</s>"]), text)
    tok.post_processor = processors.TemplateProcessing(single="$A </s>",
                                                       special_tokens=[("</s>", 1)])
    return tok


def gpt2_from_shared():
    folder = SHARED / "tokenizers" / "gpt2"
    vocab = json.loads((folder / "vocab.json").read_text("utf-8"))
    merges = [tuple(l.split(" ")) for l in (folder / "merges.txt").read_text("utf-8").split("\n")[1:] if l]
    tok = Tokenizer(models.BPE(vocab, merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.add_special_tokens(["<|endoftext|>"])
    return tok


def main():
    text, lines = corpus_lines()
    train_text = "\n".join(lines[:1500])
    cases = lines[:60] + EXTRA_LINES
    for name, build in [("llama3_bpe", llama3_style), ("qwen2_bpe", qwen2_style),
                        ("roberta_bpe", gpt2_prefix_space), ("llama2_bpe_byte_fallback", llama2_style),
                        ("metaspace_bpe", metaspace_bpe), ("bert_wordpiece", bert_style),
                        ("whitespace_bpe", whitespace_lowercase), ("unigram", unigram_style)]:
        save(name, build(train_text), cases)
    write_expected(OUT / "gpt2_expected.json", gpt2_from_shared(), lines[:120] + EXTRA_LINES)


if __name__ == "__main__":
    main()
