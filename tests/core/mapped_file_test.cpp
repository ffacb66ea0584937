// MappedFile refuses what is not a regular file, without waiting on it.
#include "core/mapped_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/error.h"
#include "test_paths.h"

namespace massact {
namespace {

// A FIFO with no writer: a plain open() would block until one appears.
TEST(MappedFile, AFifoIsRefusedAtOnce) {
  const std::string fifo = testing::temp_dir() + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  try {
    MappedFile::open(fifo);
    FAIL() << "a FIFO was opened";
  } catch (const InputError& e) {
    EXPECT_CONTAINS(e.what(), fifo + ": not a regular file");
  }
}

}  // namespace
}  // namespace massact
