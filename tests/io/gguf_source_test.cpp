// A GGUF checkpoint, damaged byte by byte: every corruption must end in an InputError whose message
// names the file and the tensor or key at fault, and the command line must exit 2, never crash.
// The damage is done to a real converted fixture (tests/fixtures/gguf/llama.q8_0.gguf).
#include "io/gguf_source.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/run_cli.h"
#include "core/error.h"
#include "model/model.h"
#include "test_paths.h"

namespace massact {
namespace {

std::string fixture_bytes() {
  std::ifstream in(testing::fixture_dir("gguf") + "/llama.q8_0.gguf", std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string write(const std::string& bytes) {
  const std::string path = testing::temp_dir() + "/damaged.gguf";
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// Where a tensor's info record puts its fields: name, then n_dims (u32), dims (u64 each), the
// ggml type (u32) and the data offset (u64).
struct InfoFields {
  size_t dims, type, offset;
};
InfoFields tensor_info(const std::string& bytes, const std::string& name) {
  const size_t at = bytes.find(name);
  EXPECT_NE(at, std::string::npos);
  const size_t n_dims_at = at + name.size();
  uint32_t n_dims;
  std::memcpy(&n_dims, bytes.data() + n_dims_at, 4);
  const size_t dims = n_dims_at + 4, type = dims + 8 * n_dims;
  return {dims, type, type + 4};
}

template <class T>
void patch(std::string& bytes, size_t at, T value) {
  std::memcpy(bytes.data() + at, &value, sizeof(T));
}

std::string load_error(const std::string& bytes) {
  const std::string path = write(bytes);
  try {
    Model::load(path);
  } catch (const InputError& e) {
    EXPECT_CONTAINS(e.what(), path);
    const auto r = testing::run_cli({"inspect", path});
    EXPECT_EQ(r.code, 2) << r.err;
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

const char* const kTensor = "blk.0.attn_q.weight";

TEST(GgufSource, TheUndamagedFixtureLoads) {
  EXPECT_NO_THROW(Model::load(write(fixture_bytes())));
}

TEST(GgufSource, BadMagic) {
  std::string b = fixture_bytes();
  b[0] = 'X';
  EXPECT_CONTAINS(load_error(b), "bad magic");
}

TEST(GgufSource, UnsupportedVersion) {
  std::string b = fixture_bytes();
  patch<uint32_t>(b, 4, 7);
  EXPECT_CONTAINS(load_error(b), "expected version 2 or 3, got 7");
}

TEST(GgufSource, TensorCountPastTheFile) {
  std::string b = fixture_bytes();
  patch<uint64_t>(b, 8, uint64_t(1) << 40);
  EXPECT_CONTAINS(load_error(b), "run past the end of the file");
}

TEST(GgufSource, TruncatedData) {
  std::string b = fixture_bytes();
  b.resize(b.size() * 3 / 4);  // some tensors now start past the end, one runs past it
  EXPECT_CONTAINS(load_error(b), "past the end of the file");
  std::string last = fixture_bytes();
  last.resize(last.size() - 1);
  EXPECT_CONTAINS(load_error(last), "runs past the end of the file (");
}

TEST(GgufSource, TensorDataOutOfBounds) {
  std::string b = fixture_bytes();
  patch<uint64_t>(b, tensor_info(b, kTensor).offset, uint64_t(b.size()) & ~uint64_t(31));
  const std::string e = load_error(b);
  EXPECT_CONTAINS(e, std::string("tensor '") + kTensor + "'");
  EXPECT_CONTAINS(e, "past the end of the file");
}

TEST(GgufSource, MisalignedOffset) {
  std::string b = fixture_bytes();
  const size_t at = tensor_info(b, kTensor).offset;
  uint64_t offset;
  std::memcpy(&offset, b.data() + at, 8);
  patch<uint64_t>(b, at, offset + 1);
  EXPECT_CONTAINS(load_error(b), "is not a multiple of the alignment");
}

TEST(GgufSource, UnknownTensorTypeNamesTensorAndType) {
  std::string b = fixture_bytes();
  patch<uint32_t>(b, tensor_info(b, kTensor).type, 99);
  const std::string e = load_error(b);
  EXPECT_CONTAINS(e, std::string("tensor '") + kTensor + "': ggml type id 99 is not one");
  EXPECT_CONTAINS(e, "Q4_K");
}

TEST(GgufSource, RowsThatDoNotFillBlocks) {
  std::string b = fixture_bytes();
  patch<uint64_t>(b, tensor_info(b, kTensor).dims, 48);  // Q8_0 blocks hold 32
  EXPECT_CONTAINS(load_error(b), "rows of 48 elements, expected a multiple of Q8_0's block of 32");
}

TEST(GgufSource, UnsupportedArchitectureListsTheSupportedOnes) {
  std::string b = fixture_bytes();
  const size_t at = b.find("llama", b.find("general.architecture"));
  b.replace(at, 5, "llamb");
  const std::string e = load_error(b);
  EXPECT_CONTAINS(e, "key 'general.architecture': \"llamb\" is not supported");
  EXPECT_CONTAINS(e, "gemma3");
}

TEST(GgufSource, ShapesAreRowMajorAndQuantizedTensorsAreViewsInTheirBlockType) {
  GgufSource source(std::make_shared<GgufFile>(
      GgufFile::open(testing::fixture_dir("gguf") + "/llama.q8_0.gguf")));
  EXPECT_EQ(source.shape(kTensor), (Shape{64, 64}));
  EXPECT_EQ(source.stored_type(kTensor), "Q8_0");
  const Tensor q = source.get(kTensor);
  EXPECT_EQ(q.dtype(), DType::Q8_0);
  EXPECT_EQ(q.shape(), (Shape{64, 64}));
  EXPECT_EQ(q.nbytes(), 64u * 2u * 34u);  // two 34-byte blocks a row
  const std::byte* file_data = source.file().file()->data();
  EXPECT_GE(static_cast<const std::byte*>(q.raw()), file_data);
  EXPECT_LE(static_cast<const std::byte*>(q.raw()) + q.nbytes(),
            file_data + source.file().file()->size());
  EXPECT_EQ(source.stored_type("blk.0.attn_norm.weight"), "F32");
}

}  // namespace
}  // namespace massact
