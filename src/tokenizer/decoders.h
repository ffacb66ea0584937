// Decoders: token texts back to the text they stand for (Hugging Face's decoders component). They
// work on raw bytes; the caller makes the result valid UTF-8 at the end.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/json_file.h"

namespace massact {

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Rewrites the token texts in place. `whole_text`: the tokens begin the text, so that decoders
  // which strip the prepended space do so; false when showing tokens from inside a text.
  virtual void decode(std::vector<std::string>& tokens, bool whole_text) const = 0;
};

using DecoderPtr = std::unique_ptr<Decoder>;

DecoderPtr make_byte_level_decoder();
// Spaces back from `replacement`; the first token's leading space dropped when `strip_first`.
DecoderPtr make_metaspace_decoder(std::string replacement, bool strip_first);
DecoderPtr make_byte_fallback_decoder();
// WordPiece: `prefix` removed from continuations, other tokens after a space.
DecoderPtr make_wordpiece_decoder(std::string prefix);
DecoderPtr make_sequence_decoder(std::vector<DecoderPtr> steps);

DecoderPtr decoder_from_json(const JsonFields& fields);

}  // namespace massact
