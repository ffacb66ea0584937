#!/usr/bin/env python3
"""Regenerates the tokenizer.json fixtures for the components that T5/ALBERT-style and word-level
tokenizers use, with the ids the Hugging Face `tokenizers` library gives
(tests/tokenizer/json_components_test.cpp must reproduce every one):

- precompiled_unigram: a SentencePiece Unigram model trained here with the nmt_nfkc rule set and
  converted as transformers' T5 converter does (its charsmap read from the model's protobuf here,
  since that converter needs the protobuf package), so its tokenizer.json holds a real
  `Precompiled` normalizer (the charsmap in base64), Metaspace and a "$A </s>" template;
- wordlevel: a `WordLevel` model with `single_word`, `lstrip` and `rstrip` added tokens and
  BERT-like single and pair templates (with type ids, which massact does not keep);
- pairs.json: for these and the committed fixtures of make_tokenizer_fixtures.py, the ids of
  text pairs (TemplateProcessing pair templates, BertProcessing, RobertaProcessing, ByteLevel and
  Sequence post-processors).

    /tmp/refenv/bin/python tests/reference/make_json_component_fixtures.py
"""
import json
import os
import pathlib
import sys
import tempfile

import sentencepiece as spm
from tokenizers import AddedToken, Regex, Tokenizer, models, normalizers, pre_tokenizers
from tokenizers import processors, trainers

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("MASSACT_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "tests" / "fixtures" / "tokenizers"
sys.path.insert(0, str(ROOT / "tests" / "reference"))
from make_pre_type_fixtures import TEXTS  # noqa: E402

# Text that the nmt_nfkc rules rewrite: full-width forms, ligatures, circled and super/subscript
# digits, compatibility spaces, combining sequences (grapheme clusters), emoji sequences.
NORMALIZATION_TEXTS = [
    "ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ １２３", "ﬁne ﬂow ﬀ ﬃ", "① ② ⑩ ¹²³ ₁₂₃ ½ ¼", "x\u00a0y\u2003z\u3000w",
    "e\u0301 a\u0308 n\u0303 \u1100\u1161\u11a8", "Å\u030a\u0323 q\u0307\u0323\u0301",
    "👩‍👩‍👧‍👦 🏳️‍🌈 🇯🇵 👍🏽", "ｶﾀｶﾅ ﾊﾞ ﾟ", "™ ℡ ㎏ ㎞ ㈱", "\u200b zero\u200bwidth \ufeff bom",
    "tab\there  double  spaces", "Ⅻ ⅻ ℃ ℉", "ǅ ǆ Ǆ", "\u0000nul", "x\u0301\u0301\u0301\u0301\u0301",
]


def corpus():
    text = (SHARED / "text" / "wikitext2_test.txt").read_text(encoding="utf-8")
    lines = [l.strip() for l in text.split("\n") if l.strip()][:60]
    return text, lines


def write_cases(folder, tok, texts):
    rows = [{"text": t, "ids": tok.encode(t).ids,
             "ids_no_special": tok.encode(t, add_special_tokens=False).ids} for t in texts]
    body = ",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows)
    (folder / "expected.json").write_text('{"cases": [\n' + body + "\n]}\n", "utf-8")


def fields(message):
    """The (number, bytes) of a protobuf message's length-delimited fields."""
    at = 0
    while at < len(message):
        def varint():
            nonlocal at
            value, shift = 0, 0
            while True:
                byte = message[at]
                at += 1
                value |= (byte & 0x7F) << shift
                shift += 7
                if byte < 0x80:
                    return value
        tag = varint()
        kind = tag & 7
        if kind == 0:
            varint()
        elif kind == 1:
            at += 8
        elif kind == 5:
            at += 4
        else:
            size = varint()
            yield tag >> 3, message[at:at + size]
            at += size


def precompiled_charsmap(proto):
    """ModelProto.normalizer_spec (3) .precompiled_charsmap (2)."""
    spec = next(b for n, b in fields(proto) if n == 3)
    return next(b for n, b in fields(spec) if n == 2)


def precompiled_unigram(text, folder):
    with tempfile.TemporaryDirectory() as tmp:
        corpus_file = pathlib.Path(tmp) / "corpus.txt"
        corpus_file.write_text(text[:400000] + "\n" + "\n".join(NORMALIZATION_TEXTS), "utf-8")
        prefix = str(pathlib.Path(tmp) / "spm")
        spm.SentencePieceTrainer.train(
            input=str(corpus_file), model_prefix=prefix, model_type="unigram", vocab_size=800,
            normalization_rule_name="nmt_nfkc", character_coverage=1.0, pad_id=0, eos_id=1,
            unk_id=2, bos_id=-1, num_threads=1, seed_sentencepiece_size=100000,
            minloglevel=2)
        proto = pathlib.Path(prefix + ".model").read_bytes()
        sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
    vocab = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())]
    tok = Tokenizer(models.Unigram(vocab, unk_id=2, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(proto)),
        normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)])
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    return tok


def wordlevel(text, folder):
    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator([text], trainers.WordLevelTrainer(
        vocab_size=600, show_progress=False, special_tokens=["[UNK]", "[CLS]", "[SEP]"]))
    tok.add_tokens([AddedToken("the", single_word=True), AddedToken("ing", single_word=True),
                    AddedToken("th", single_word=False), AddedToken("<mask>", lstrip=True),
                    AddedToken("<eol>", rstrip=True), AddedToken("and it", single_word=True)])
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    return tok


SINGLE_WORD_TEXTS = [
    "the theory of the thing", "bathe in the theatre", "the", "othe the_ the1 (the) the.",
    "singing ing ing's ring ing", "and it and items and it's band it", "a <mask> b  <mask>c",
    "x <eol>   y <eol>z", "THE The tHe", "the\tthe\nthe", "th then theth",
]


def main():
    text, lines = corpus()
    texts = lines + TEXTS + NORMALIZATION_TEXTS + SINGLE_WORD_TEXTS
    made = {"precompiled_unigram": precompiled_unigram(text, OUT / "precompiled_unigram"),
            "wordlevel": wordlevel(text, OUT / "wordlevel")}
    for name, tok in made.items():
        write_cases(OUT / name, tok, texts)
    pair_texts = [(lines[i][:120], lines[i + 1][:120]) for i in range(0, 12, 2)] + [
        ("", ""), ("Hello", ""), ("", "world"), ("What is the theory?", "the thing and it"),
        ("ＦＵＬＬ ①", "ﬁne  spaces")]
    pairs = {}
    for name in ["precompiled_unigram", "wordlevel", "bert_wordpiece", "roberta_bpe",
                 "llama2_bpe_byte_fallback", "metaspace_bpe", "unigram", "qwen2_bpe"]:
        tok = Tokenizer.from_file(str(OUT / name / "tokenizer.json"))
        pairs[name] = [{"first": a, "second": b, "ids": tok.encode(a, b).ids,
                        "ids_no_special": tok.encode(a, b, add_special_tokens=False).ids}
                       for a, b in pair_texts]
    body = ",\n".join(json.dumps(name, ensure_ascii=False) + ": [\n" + ",\n".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows) + "]"
                      for name, rows in pairs.items())
    (OUT / "pairs.json").write_text("{\n" + body + "\n}\n", "utf-8")
    print("wrote", ", ".join(made), "and pairs.json")


if __name__ == "__main__":
    main()
