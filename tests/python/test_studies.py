"""The studies as functions: the dict that `massact COMMAND --json` prints, made by the same code."""
import pytest

from conftest import SAMPLE_TEXT, cli_json, fixture

MODEL = fixture("llama_f32")
DATA = dict(text_file=SAMPLE_TEXT, num_seqs=3, seq_len=16, seed=7)
# (command, options for Python, the same options for the CLI)
CASES = [
    ("scan", dict(prompt="Summer is warm. Winter is cold.", min_magnitude=2, min_ratio=3),
     ["--prompt", "Summer is warm. Winter is cold.", "--min-magnitude", "2", "--min-ratio", "3"]),
    ("scan", dict(DATA, min_magnitude=2, min_ratio=3),
     ["--text-file", SAMPLE_TEXT, "--num-seqs", "3", "--seq-len", "16", "--seed", "7",
      "--min-magnitude", "2", "--min-ratio", "3"]),
    ("profile", dict(DATA, top=5), ["--text-file", SAMPLE_TEXT, "--num-seqs", "3", "--seq-len",
                                    "16", "--seed", "7", "--top", "5"]),
    ("stats", dict(DATA, min_magnitude=2, min_ratio=3, include_outlier_features=True),
     ["--text-file", SAMPLE_TEXT, "--num-seqs", "3", "--seq-len", "16", "--seed", "7",
      "--min-magnitude", "2", "--min-ratio", "3", "--include-outlier-features"]),
    ("intervene", dict(eval_text=SAMPLE_TEXT, seq_len=16, max_windows=2, layer=1,
                       mode=["original", "zero", "mean"], min_magnitude=2, min_ratio=3,
                       calib_seq_len=16),
     ["--eval-text", SAMPLE_TEXT, "--seq-len", "16", "--max-windows", "2", "--layer", "1",
      "--mode", "original,zero,mean", "--min-magnitude", "2", "--min-ratio", "3",
      "--calib-seq-len", "16"]),
    ("attention", dict(DATA), ["--text-file", SAMPLE_TEXT, "--num-seqs", "3", "--seq-len", "16",
                               "--seed", "7"]),
    ("decompose", dict(DATA, layer=1, eval_text=SAMPLE_TEXT, eval_seq_len=16, max_windows=1),
     ["--text-file", SAMPLE_TEXT, "--num-seqs", "3", "--seq-len", "16", "--seed", "7",
      "--layer", "1", "--eval-text", SAMPLE_TEXT, "--eval-seq-len", "16", "--max-windows", "1"]),
]


@pytest.mark.parametrize("command,options,args", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_study_returns_the_cli_json(massact, llama, command, options, args):
    got = getattr(massact, command)(llama, **options)
    want = cli_json(command, MODEL, *args)
    # The command line differs by the program's path and --json; the rest is the same, bit for bit
    # in every number (JSON's shortest round-trip doubles).
    assert got.pop("command") == "massact " + " ".join([command, MODEL] + [
        f"'{a}'" if " " in a else a for a in args])
    want.pop("command")
    assert got == want


def test_a_study_refuses_an_unknown_option_as_the_cli_does(massact, llama):
    with pytest.raises(massact.InputError, match="--no-such-option") as error:
        massact.scan(llama, "Hi", no_such_option=3)
    assert isinstance(error.value, ValueError)


def test_a_bad_value_gives_the_cli_message(massact, llama):
    with pytest.raises(massact.InputError) as error:
        massact.profile(llama, "Hi", layer=99)
    assert str(error.value) == "--layer: expected a layer below 3, got 99"
