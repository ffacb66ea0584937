// The safetensors reader and writer: hand-built files, valid and corrupt, and sharded checkpoints.
// Every corrupt input must give an InputError whose message names the file and the tensor or field.
#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/tensor_source.h"
#include "test_paths.h"

namespace massact {
namespace {

namespace fs = std::filesystem;

// 8-byte little-endian length, then the header text, then the data bytes.
void write_raw(const std::string& path, uint64_t header_len, const std::string& header,
               const std::vector<char>& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  ASSERT_TRUE(out) << path;
  char len[8];
  for (int i = 0; i < 8; ++i) len[i] = char((header_len >> (8 * i)) & 0xff);
  out.write(len, 8);
  out.write(header.data(), std::streamsize(header.size()));
  out.write(data.data(), std::streamsize(data.size()));
}

void write_st(const std::string& path, const std::string& header, const std::vector<char>& data) {
  write_raw(path, header.size(), header, data);
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

// Element i of a tensor, read without assuming alignment: safetensors does not require any.
template <class T>
T element(const Tensor& t, int64_t i) {
  T v;
  std::memcpy(&v, static_cast<const char*>(t.raw()) + i * int64_t(sizeof(T)), sizeof(T));
  return v;
}

std::vector<char> float_bytes(const std::vector<float>& v) {
  std::vector<char> out(v.size() * 4);
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

// Opens `path` expecting an InputError that names it; returns its message (empty, with a failure,
// otherwise).
std::string open_error(const std::string& path) {
  try {
    SafetensorsFile::open(path);
  } catch (const InputError& e) {
    EXPECT_CONTAINS(e.what(), path);  // every error names the file
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected InputError opening " << path << ", but it opened";
  return "";
}

std::string sharded_error(const std::string& index_path) {
  try {
    SafetensorsSource::sharded(index_path);
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected InputError opening " << index_path << ", but it opened";
  return "";
}

// A one-tensor header: tensor "w" with the given dtype, shape and offsets (JSON text).
std::string one_tensor(const std::string& dtype, const std::string& shape,
                       const std::string& offsets) {
  return R"({"w":{"dtype":)" + dtype + R"(,"shape":)" + shape + R"(,"data_offsets":)" + offsets +
         "}}";
}

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = massact::testing::temp_dir();
    path_ = dir_ + "/model.safetensors";
  }
  std::string dir_, path_;
};

// ---- valid files ----

TEST_F(SafetensorsTest, HandBuiltFileRoundTrips) {
  const std::string header = R"({"__metadata__":{"format":"pt"},)"
                             R"("a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
                             R"("b":{"dtype":"I32","shape":[3],"data_offsets":[16,28]},)"
                             R"("c":{"dtype":"F32","shape":[0],"data_offsets":[28,28]}})";
  std::vector<char> data = float_bytes({1.5f, -2.0f, 3.25f, 4.0f});
  const int32_t ints[3] = {7, -8, 1 << 20};
  data.insert(data.end(), reinterpret_cast<const char*>(ints),
              reinterpret_cast<const char*>(ints) + sizeof ints);
  write_st(path_, header, data);

  SafetensorsFile st = SafetensorsFile::open(path_);
  EXPECT_EQ(st.path(), path_);
  ASSERT_EQ(st.tensors().size(), 3u);
  EXPECT_EQ(st.metadata().at("format"), "pt");

  Tensor a = st.get("a");
  EXPECT_EQ(a.dtype(), DType::F32);
  EXPECT_EQ(a.shape(), (Shape{2, 2}));
  EXPECT_EQ(element<float>(a, 0), 1.5f);
  EXPECT_EQ(element<float>(a, 1), -2.0f);
  EXPECT_EQ(element<float>(a, 2), 3.25f);
  EXPECT_EQ(element<float>(a, 3), 4.0f);

  Tensor b = st.get("b");
  EXPECT_EQ(b.dtype(), DType::I32);
  EXPECT_EQ(b.shape(), (Shape{3}));
  EXPECT_EQ(element<int32_t>(b, 0), 7);
  EXPECT_EQ(element<int32_t>(b, 1), -8);
  EXPECT_EQ(element<int32_t>(b, 2), 1 << 20);
  // Widening a misaligned float view works too.
  Tensor a32 = a.to_f32();
  EXPECT_EQ(element<float>(a32, 2), 3.25f);

  const TensorInfo* c = st.find("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->shape, (Shape{0}));
  EXPECT_EQ(st.get("c").numel(), 0);
  EXPECT_EQ(st.find("missing"), nullptr);
}

TEST_F(SafetensorsTest, WriteThenOpenRoundTripsDtypesAndMetadata) {
  Tensor f = Tensor::zeros(DType::F32, {2, 3});
  for (int i = 0; i < 6; ++i) f.f32()[i] = float(i) * 0.5f - 1.0f;
  Tensor h = Tensor::zeros(DType::BF16, {5});
  uint16_t* hb = static_cast<uint16_t*>(h.raw_mut());
  const float hv[5] = {1.0f, -0.5f, 3.0f, 1e30f, -2.25f};
  for (int i = 0; i < 5; ++i) hb[i] = f32_to_bf16(hv[i]);
  Tensor n = Tensor::zeros(DType::I32, {4});
  int32_t* ni = static_cast<int32_t*>(n.raw_mut());
  for (int i = 0; i < 4; ++i) ni[i] = -3 + 1000 * i;

  write_safetensors(path_, {{"f", f}, {"h", h}, {"n", n}},
                    {{"command", "massact forward 'x y'"}, {"massact_version", "0.1.0"}});

  // The file alone is in the folder: no temporary file is left behind.
  std::vector<std::string> entries;
  for (const auto& e : fs::directory_iterator(dir_)) entries.push_back(e.path().filename());
  EXPECT_EQ(entries, std::vector<std::string>{"model.safetensors"});

  // The data section starts 8-byte aligned.
  {
    std::ifstream in(path_, std::ios::binary);
    unsigned char len[8];
    in.read(reinterpret_cast<char*>(len), 8);
    uint64_t n_header = 0;
    for (int i = 7; i >= 0; --i) n_header = (n_header << 8) | len[i];
    EXPECT_EQ((8 + n_header) % 8, 0u);
  }

  SafetensorsFile st = SafetensorsFile::open(path_);
  ASSERT_EQ(st.tensors().size(), 3u);
  EXPECT_EQ(st.metadata().size(), 2u);
  EXPECT_EQ(st.metadata().at("command"), "massact forward 'x y'");
  EXPECT_EQ(st.metadata().at("massact_version"), "0.1.0");

  Tensor f2 = st.get("f");
  EXPECT_EQ(f2.dtype(), DType::F32);
  EXPECT_EQ(f2.shape(), (Shape{2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(element<float>(f2, i), f.f32()[i]) << i;

  Tensor h2 = st.get("h");
  EXPECT_EQ(h2.dtype(), DType::BF16);
  EXPECT_EQ(h2.shape(), (Shape{5}));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(element<uint16_t>(h2, i), hb[i]) << i;
  Tensor h32 = h2.to_f32();
  EXPECT_EQ(h32.f32()[0], 1.0f);
  EXPECT_EQ(h32.f32()[1], -0.5f);
  EXPECT_EQ(h32.f32()[4], -2.25f);

  Tensor n2 = st.get("n");
  EXPECT_EQ(n2.dtype(), DType::I32);
  EXPECT_EQ(n2.shape(), (Shape{4}));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(element<int32_t>(n2, i), ni[i]) << i;
}

TEST_F(SafetensorsTest, WriteReplacesAnExistingFileWhole) {
  Tensor a = Tensor::zeros(DType::F32, {100});
  write_safetensors(path_, {{"big", a}});
  Tensor b = Tensor::zeros(DType::F32, {1});
  b.f32()[0] = 42.0f;
  write_safetensors(path_, {{"small", b}});
  SafetensorsFile st = SafetensorsFile::open(path_);
  ASSERT_EQ(st.tensors().size(), 1u);
  EXPECT_EQ(st.find("big"), nullptr);
  EXPECT_EQ(st.get("small").f32()[0], 42.0f);
  EXPECT_TRUE(st.metadata().empty());
}

// ---- the length prefix and the header ----

TEST_F(SafetensorsTest, EmptyFile) {
  write_bytes(path_, "");
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "truncated");
  EXPECT_CONTAINS(msg, "8-byte header length");
}

TEST_F(SafetensorsTest, FileShorterThanTheLengthPrefix) {
  write_bytes(path_, std::string("\x10\0\0\0\0", 5));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "5 bytes");
  EXPECT_CONTAINS(msg, "8-byte header length");
}

TEST_F(SafetensorsTest, HeaderLengthPastTheEndOfTheFile) {
  const std::string header = one_tensor(R"("F32")", "[1]", "[0,4]");
  write_raw(path_, header.size() + 1000, header, float_bytes({1.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "truncated");
  EXPECT_CONTAINS(msg, "header claims " + std::to_string(header.size() + 1000));
}

TEST_F(SafetensorsTest, AbsurdHeaderLengthIsRejectedBeforeAnyAllocation) {
  write_raw(path_, (1ull << 40), "{}", {});
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "header length " + std::to_string(1ull << 40));
  EXPECT_CONTAINS(msg, "sanity bound");

  // Just over the 100 MiB bound, too.
  write_raw(path_, (100ull << 20) + 1, "{}", {});
  msg = open_error(path_);
  EXPECT_CONTAINS(msg, "sanity bound");

  // All ones: 8 + length must not wrap around and pass the truncation check.
  write_raw(path_, ~0ull, "{}", {});
  msg = open_error(path_);
  EXPECT_CONTAINS(msg, "sanity bound");
}

TEST_F(SafetensorsTest, HeaderNotJson) {
  write_st(path_, R"({"w": {"dtype": "F32", )", {});
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, path_ + ": header");
  EXPECT_CONTAINS(msg, "not valid JSON");
}

TEST_F(SafetensorsTest, HeaderNotAnObject) {
  write_st(path_, "[1, 2, 3]", {});
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, path_ + ": header");
  EXPECT_CONTAINS(msg, "expected a JSON object");
}

TEST_F(SafetensorsTest, TensorEntryNotAnObject) {
  write_st(path_, R"({"w": [0, 4]})", float_bytes({1.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "expected an object");
}

// ---- tensor entries ----

TEST_F(SafetensorsTest, UnknownDtype) {
  write_st(path_, one_tensor(R"("Q4_K")", "[1]", "[0,4]"), float_bytes({1.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'dtype'");
  EXPECT_CONTAINS(msg, "Q4_K");
  EXPECT_CONTAINS(msg, "BF16");  // what was expected
}

TEST_F(SafetensorsTest, DtypeNotAString) {
  write_st(path_, one_tensor("4", "[1]", "[0,4]"), float_bytes({1.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'dtype'");
}

TEST_F(SafetensorsTest, MissingShape) {
  write_st(path_, R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", float_bytes({1.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'shape'");
  EXPECT_CONTAINS(msg, "missing");
}

TEST_F(SafetensorsTest, ShapeNotAnArray) {
  write_st(path_, one_tensor(R"("F32")", "4", "[0,4]"), float_bytes({1.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'shape'");
  EXPECT_CONTAINS(msg, "array of non-negative integers");
}

TEST_F(SafetensorsTest, NegativeDimension) {
  write_st(path_, one_tensor(R"("F32")", "[-1, 1]", "[0,4]"), float_bytes({1.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'shape'");
  EXPECT_CONTAINS(msg, "non-negative");
}

TEST_F(SafetensorsTest, FractionalDimension) {
  write_st(path_, one_tensor(R"("F32")", "[1.5]", "[0,4]"), float_bytes({1.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'shape'");
}

TEST_F(SafetensorsTest, ShapeWhoseElementCountOverflows) {
  // 2^32 * 2^32 elements would wrap a 64-bit count to 0 and match an empty span.
  write_st(path_, one_tensor(R"("F32")", "[4294967296, 4294967296]", "[0,0]"), {});
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'shape'");
}

TEST_F(SafetensorsTest, DataOffsetsWrongArity) {
  write_st(path_, one_tensor(R"("F32")", "[1]", "[0]"), float_bytes({1.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'data_offsets'");
  EXPECT_CONTAINS(msg, "[begin, end]");

  write_st(path_, one_tensor(R"("F32")", "[1]", "[0, 4, 8]"), float_bytes({1.0f, 2.0f}));
  msg = open_error(path_);
  EXPECT_CONTAINS(msg, "field 'data_offsets'");
}

TEST_F(SafetensorsTest, DataOffsetsNegative) {
  write_st(path_, one_tensor(R"("F32")", "[1]", "[-4, 0]"), float_bytes({1.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'data_offsets'");
}

TEST_F(SafetensorsTest, DataOffsetsBeginAfterEnd) {
  write_st(path_, one_tensor(R"("F32")", "[1]", "[8, 4]"), float_bytes({1.0f, 2.0f, 3.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'data_offsets'");
  EXPECT_CONTAINS(msg, "begin <= end");
}

TEST_F(SafetensorsTest, DataOffsetsPastTheEndOfTheDataSection) {
  write_st(path_, one_tensor(R"("F32")", "[4]", "[16, 32]"), float_bytes({1, 2, 3, 4}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'data_offsets'");
  EXPECT_CONTAINS(msg, "within the data section (16 bytes)");
}

TEST_F(SafetensorsTest, SpanInconsistentWithDtypeAndShape) {
  // F32 x (4,) is 16 bytes; the offsets give 12.
  write_st(path_, one_tensor(R"("F32")", "[4]", "[0, 12]"), float_bytes({1, 2, 3, 4}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'data_offsets'");
  EXPECT_CONTAINS(msg, "16 bytes");

  // Same span, other dtype: BF16 x (4,) is 8 bytes, not 16.
  write_st(path_, one_tensor(R"("BF16")", "[4]", "[0, 16]"), float_bytes({1, 2, 3, 4}));
  msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "8 bytes");
}

TEST_F(SafetensorsTest, OverlappingTensors) {
  const std::string header = R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                             R"("b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})";
  write_st(path_, header, float_bytes({1, 2, 3, 4, 5, 6}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'b'");
  EXPECT_CONTAINS(msg, "field 'data_offsets'");
  EXPECT_CONTAINS(msg, "overlaps tensor 'a'");
}

TEST_F(SafetensorsTest, TensorsWithTheSameSpanOverlap) {
  const std::string header = R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                             R"("b":{"dtype":"I32","shape":[4],"data_offsets":[0,16]}})";
  write_st(path_, header, float_bytes({1, 2, 3, 4}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "field 'data_offsets'");
  EXPECT_CONTAINS(msg, "overlaps");
}

TEST_F(SafetensorsTest, OverlapIsFoundAcrossAnEmptyTensor) {
  // "a" [0, 16) and "c" [8, 24) overlap; the empty "b" [4, 4) sorts between them and must not hide
  // it.
  const std::string header = R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                             R"("b":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},)"
                             R"("c":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})";
  write_st(path_, header, float_bytes({1, 2, 3, 4, 5, 6}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'c'");
  EXPECT_CONTAINS(msg, "field 'data_offsets'");
  EXPECT_CONTAINS(msg, "overlaps tensor 'a'");
}

TEST_F(SafetensorsTest, OverlapIsFoundWhenATensorContainsTwoOthers) {
  // "a" [0, 32) contains "b" [4, 8) and "c" [16, 20): c overlaps a even though b ends before c.
  const std::string header = R"({"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]},)"
                             R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},)"
                             R"("c":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}})";
  write_st(path_, header, float_bytes({1, 2, 3, 4, 5, 6, 7, 8}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "field 'data_offsets'");
  EXPECT_CONTAINS(msg, "overlaps tensor 'a'");
}

TEST_F(SafetensorsTest, TruncatedDataSection) {
  // A valid file for 16 floats, cut short after 8 of them.
  const std::string header = one_tensor(R"("F32")", "[16]", "[0, 64]");
  std::vector<float> values(16, 1.0f);
  write_st(path_, header, float_bytes(values));
  ASSERT_NO_THROW(SafetensorsFile::open(path_));
  fs::resize_file(path_, 8 + header.size() + 32);

  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "tensor 'w'");
  EXPECT_CONTAINS(msg, "field 'data_offsets'");
  EXPECT_CONTAINS(msg, "(32 bytes)");
}

TEST_F(SafetensorsTest, MetadataWithANonStringValue) {
  const std::string header = R"({"__metadata__":{"format":"pt","step":1000},)"
                             R"("w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  write_st(path_, header, float_bytes({1.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "field '__metadata__.step'");
  EXPECT_CONTAINS(msg, "expected a string");
}

TEST_F(SafetensorsTest, MetadataNotAnObject) {
  const std::string header =
      R"({"__metadata__":"pt","w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  write_st(path_, header, float_bytes({1.0f}));
  std::string msg = open_error(path_);
  EXPECT_CONTAINS(msg, "field '__metadata__'");
  EXPECT_CONTAINS(msg, "expected an object");
}

TEST_F(SafetensorsTest, GetOfAMissingTensor) {
  write_st(path_, one_tensor(R"("F32")", "[1]", "[0,4]"), float_bytes({1.0f}));
  SafetensorsFile st = SafetensorsFile::open(path_);
  try {
    st.get("model.norm.weight");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_CONTAINS(std::string(e.what()), path_);
    EXPECT_CONTAINS(std::string(e.what()), "'model.norm.weight'");
  }
}

TEST_F(SafetensorsTest, MissingFileAndDirectory) {
  std::string msg = open_error(dir_ + "/nope.safetensors");
  EXPECT_CONTAINS(msg, dir_ + "/nope.safetensors");
  EXPECT_CONTAINS(msg, "cannot open");

  msg = open_error(dir_);
  EXPECT_CONTAINS(msg, dir_);
  EXPECT_CONTAINS(msg, "not a regular file");
}

// ---- sharded checkpoints ----

class ShardedTest : public SafetensorsTest {
 protected:
  void SetUp() override {
    SafetensorsTest::SetUp();
    index_ = dir_ + "/model.safetensors.index.json";
    Tensor a = Tensor::zeros(DType::F32, {2});
    a.f32()[0] = 1.0f;
    a.f32()[1] = 2.0f;
    Tensor b = Tensor::zeros(DType::F32, {3});
    b.f32()[2] = 7.0f;
    write_safetensors(dir_ + "/shard-1.safetensors", {{"a", a}});
    write_safetensors(dir_ + "/shard-2.safetensors", {{"b", b}});
  }
  void write_index(const std::string& text) { write_bytes(index_, text); }
  std::string index_;
};

TEST_F(ShardedTest, ValidIndexServesEveryTensor) {
  write_index(R"({"metadata":{"total_size":20},"weight_map":)"
              R"({"a":"shard-1.safetensors","b":"shard-2.safetensors"}})");
  auto source = SafetensorsSource::sharded(index_);
  EXPECT_EQ(source->names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(source->has("a"));
  EXPECT_FALSE(source->has("c"));
  EXPECT_EQ(source->get("a").f32()[1], 2.0f);
  EXPECT_EQ(source->get("b").f32()[2], 7.0f);
  try {
    source->get("c");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_CONTAINS(std::string(e.what()), index_);
    EXPECT_CONTAINS(std::string(e.what()), "missing tensor 'c'");
  }
}

TEST_F(ShardedTest, WeightMapNamesATensorMissingFromItsShard) {
  write_index(R"({"weight_map":{"a":"shard-1.safetensors","b":"shard-2.safetensors",)"
              R"("lm_head.weight":"shard-2.safetensors"}})");
  std::string msg = sharded_error(index_);
  EXPECT_CONTAINS(msg, index_);
  EXPECT_CONTAINS(msg, "field 'weight_map.lm_head.weight'");
  EXPECT_CONTAINS(msg, "shard-2.safetensors");
}

TEST_F(ShardedTest, ShardFileThatDoesNotExist) {
  write_index(R"({"weight_map":{"a":"shard-1.safetensors","b":"shard-9.safetensors"}})");
  std::string msg = sharded_error(index_);
  EXPECT_CONTAINS(msg, index_);
  EXPECT_CONTAINS(msg, "field 'weight_map.b'");
  EXPECT_CONTAINS(msg, dir_ + "/shard-9.safetensors");
  EXPECT_CONTAINS(msg, "does not exist");
}

// A name the OS refuses (a path component over 255 bytes) is the index's fault, not a crash.
TEST_F(ShardedTest, ShardNameTooLongForTheFileSystem) {
  write_index(R"({"weight_map":{"a":")" + std::string(300, 's') + R"("}})");
  std::string msg = sharded_error(index_);
  EXPECT_CONTAINS(msg, "field 'weight_map.a'");
  EXPECT_CONTAINS(msg, "does not exist or is not a file");
}

TEST_F(ShardedTest, WeightMapNotAnObject) {
  write_index(R"({"weight_map":["shard-1.safetensors","shard-2.safetensors"]})");
  std::string msg = sharded_error(index_);
  EXPECT_CONTAINS(msg, index_);
  EXPECT_CONTAINS(msg, "field 'weight_map'");
  EXPECT_CONTAINS(msg, "expected an object");
}

TEST_F(ShardedTest, WeightMapMissing) {
  write_index(R"({"metadata":{"total_size":20}})");
  std::string msg = sharded_error(index_);
  EXPECT_CONTAINS(msg, index_);
  EXPECT_CONTAINS(msg, "field 'weight_map'");
  EXPECT_CONTAINS(msg, "missing");
}

TEST_F(ShardedTest, WeightMapEntryNotAString) {
  write_index(R"({"weight_map":{"a":1}})");
  std::string msg = sharded_error(index_);
  EXPECT_CONTAINS(msg, index_);
  EXPECT_CONTAINS(msg, "field 'weight_map.a'");
}

TEST_F(ShardedTest, WeightMapEntryOutsideTheFolder) {
  write_index(R"({"weight_map":{"a":"../elsewhere/shard-1.safetensors"}})");
  std::string msg = sharded_error(index_);
  EXPECT_CONTAINS(msg, index_);
  EXPECT_CONTAINS(msg, "field 'weight_map.a'");
  EXPECT_CONTAINS(msg, "inside the model folder");
}

TEST_F(ShardedTest, IndexNotJson) {
  write_index(R"({"weight_map": {"a": )");
  std::string msg = sharded_error(index_);
  EXPECT_CONTAINS(msg, index_);
  EXPECT_CONTAINS(msg, "not valid JSON");
}

TEST_F(ShardedTest, CorruptShardIsReportedByItsPath) {
  write_bytes(dir_ + "/shard-2.safetensors", "abc");
  write_index(R"({"weight_map":{"a":"shard-1.safetensors","b":"shard-2.safetensors"}})");
  std::string msg = sharded_error(index_);
  EXPECT_CONTAINS(msg, dir_ + "/shard-2.safetensors");
  EXPECT_CONTAINS(msg, "truncated");
}

TEST(ShardedFixture, CommittedShardedCheckpointOpens) {
  const std::string index =
      massact::testing::fixture_dir("llama_linear_sharded") + "/model.safetensors.index.json";
  auto source = SafetensorsSource::sharded(index);
  EXPECT_EQ(source->names().size(), 21u);
  EXPECT_TRUE(source->has("lm_head.weight"));
  EXPECT_EQ(source->get("model.embed_tokens.weight").shape(), (Shape{256, 64}));
}

}  // namespace
}  // namespace massact
