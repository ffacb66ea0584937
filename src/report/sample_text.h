// A short English text written for massact (data/sample_text.txt), compiled into the program: what
// `massact report` studies when it is given no text, so that the main job runs on a fresh machine.
#pragma once

namespace massact {

extern const char* const kSampleText;

}  // namespace massact
