#include "cli/common.h"

int main(int argc, char** argv) {
  return massact::cli::run(argc, argv);
}
