// The studies on images, with a planted vision transformer (planted_vit.h): the scan finds the
// planted register activation in every block and image with role `register`, and nothing else;
// the attention study's mass over the roles (class token, registers, patches) adds up to each
// query's whole probability.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <set>

#include "analysis/attention_mass.h"
#include "analysis/census.h"
#include "analysis/image_accuracy.h"
#include "analysis/study_input.h"
#include "core/error.h"
#include "planted_vit.h"
#include "test_paths.h"
#include "vision/image_folder.h"
#include "vision/image_processor.h"

namespace massact {
namespace {

using testing::PlantedVit;

class PlantedVitStudies : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = testing::temp_dir("PlantedVitStudies");
    planted_ = new PlantedVit(testing::write_planted_vit(dir));
    model_ = new Model(Model::load(planted_->dir));
    // Images read from their files when used (StudyInput::processor), as the CLI gives them.
    const auto config = std::make_shared<const ImageProcessorConfig>(
        read_image_processor_config(planted_->dir + "/preprocessor_config.json"));
    inputs_ = new std::vector<StudyInput>();
    for (const FolderImage& image : read_image_folder(testing::write_image_folder(dir), 0))
      inputs_->push_back({{}, Tensor(), image.path, image.label, config});
  }
  static void TearDownTestSuite() {
    delete inputs_;
    delete model_;
    delete planted_;
  }
  static std::string no_text(int32_t) { return ""; }

  static PlantedVit* planted_;
  static Model* model_;
  static std::vector<StudyInput>* inputs_;
};
PlantedVit* PlantedVitStudies::planted_ = nullptr;
Model* PlantedVitStudies::model_ = nullptr;
std::vector<StudyInput>* PlantedVitStudies::inputs_ = nullptr;

TEST_F(PlantedVitStudies, TokensArePlacedClassRegistersThenPatchesRowMajor) {
  const StudyInput& image = inputs_->front();
  ASSERT_EQ(input_length(*model_, image), 1 + 4 + 16);
  const std::vector<ImageTokenPlace> places = input_places(*model_, image);
  EXPECT_EQ(places[0].role, TokenRole::Cls);
  EXPECT_EQ(places[2].role, TokenRole::Register);
  EXPECT_EQ(places[2].index, 1);
  EXPECT_EQ(places[5 + 6].role, TokenRole::Patch);
  EXPECT_EQ(places[5 + 6].row, 1);
  EXPECT_EQ(places[5 + 6].col, 2);
  const std::vector<std::string> labels = input_token_labels(*model_, image, no_text);
  ASSERT_EQ(labels.size(), places.size());
  EXPECT_EQ(labels[0], "cls");
  EXPECT_EQ(labels[2], "register 1");
  EXPECT_EQ(labels[11], "patch (1, 2)");
}

TEST_F(PlantedVitStudies, ScanFindsThePlantedRegisterInEveryBlockAndImage) {
  ASSERT_EQ(inputs_->size(), 6u);
  for (const StudyInput& image : *inputs_) {
    Hooks hooks;
    MassiveScan scan(MassiveCriterion{});
    scan.attach(hooks);
    run_input(*model_, image, hooks);
    std::set<std::tuple<int, int64_t, int64_t>> found;
    for (const auto& a : scan.result().massive) {
      found.insert({a.layer, a.token, a.dim});
      // Nothing else writes the planted dim (planted_vit.h).
      EXPECT_EQ(a.value, PlantedVit::kValue);
    }
    const int64_t token = 1 + PlantedVit::kRegister;
    EXPECT_EQ(found, (std::set<std::tuple<int, int64_t, int64_t>>{{0, token, PlantedVit::kDim},
                                                                  {1, token, PlantedVit::kDim}}))
        << image.source;
  }
  const MassiveCensus census = take_census(*model_, *inputs_, no_text, MassiveCriterion{});
  ASSERT_EQ(census.entries().size(), 2u);
  for (const auto& [key, entry] : census.entries()) {
    EXPECT_EQ(key.role, TokenRole::Register);
    EXPECT_EQ(key.dim, PlantedVit::kDim);
    EXPECT_EQ(entry.sequences, 6);
  }
}

TEST_F(PlantedVitStudies, AttentionMassOverTheRolesIsTheWholeProbability) {
  const MassiveCensus census = take_census(*model_, *inputs_, no_text, MassiveCriterion{});
  const AttentionMassResult r = measure_attention_mass(*model_, *inputs_, no_text,
                                                       MassiveCriterion{}, census.kinds({}), 0, 8);
  for (const auto& layer : r.layers)
    for (const HeadMass& head : layer) {
      const double sum = head.on_role[size_t(TokenRole::Cls)].mean() +
                         head.on_role[size_t(TokenRole::Register)].mean() +
                         head.on_role[size_t(TokenRole::Patch)].mean();
      // Each query's 21 probabilities sum to 1 within float32 rounding of the softmax.
      EXPECT_NEAR(sum, 1.0, 1e-5);
      EXPECT_EQ(head.on_role[size_t(TokenRole::First)].count(), 0);
    }
}

// The paper's ViT interventions on the planted classifier (planted_vit.h): zeroing the register's
// massive activation flips every image; its mean, or Fix-Reg-Mean, keeps every one right.
TEST(PlantedVitAccuracy, FixRegMeanRestoresWhatZeroingDestroys) {
  const std::string dir = testing::temp_dir();
  const PlantedVit planted = testing::write_planted_vit(dir, true);
  const Model model = Model::load(planted.dir);
  const ImageProcessorConfig config =
      read_image_processor_config(planted.dir + "/preprocessor_config.json");
  std::vector<StudyInput> images;
  for (const FolderImage& image : read_image_folder(testing::write_image_folder(dir, true), 0))
    images.push_back({{}, read_pixels(image.path, config), image.path, image.label, nullptr});
  auto no_text = [](int32_t) { return std::string(); };
  const MassiveMeans means =
      MassiveMeans::from_census(take_census(model, images, no_text, MassiveCriterion{}));
  const MassiveKinds kinds = means.kinds({});
  ASSERT_EQ(means.first_layer(kinds), 0);
  auto top1 = [&](Intervention mode) {
    const AccuracyResult r =
        accuracy_with_intervention(model, images, {0, mode, MassiveCriterion{}, &means, kinds});
    EXPECT_EQ(r.images, 6);
    EXPECT_EQ(r.edited, mode == Intervention::None ? 0 : 6);  // one activation per image
    return r.top1();
  };
  EXPECT_EQ(top1(Intervention::None), 1.0);
  EXPECT_EQ(top1(Intervention::Zero), 0.0);
  EXPECT_EQ(top1(Intervention::Mean), 1.0);

  const RegisterMeans registers = register_means(model, images);
  ASSERT_EQ(registers.size(), 2u);
  EXPECT_EQ(registers[1][PlantedVit::kRegister * 32 + PlantedVit::kDim], PlantedVit::kValue);
  const AccuracyResult fixed = accuracy_with_register_means(model, images, registers);
  EXPECT_EQ(fixed.top1(), 1.0);
  EXPECT_EQ(fixed.edited, 6 * 2 * 4);  // every image, block and register
}

TEST(PlantedVitAccuracy, RefusesUnlabelledImagesAndModelsWithoutAClassifier) {
  const std::string dir = testing::temp_dir();
  const Model plain = Model::load(testing::write_planted_vit(dir).dir);
  const Model classifier = Model::load(testing::write_planted_vit(dir, true).dir);
  const StudyInput image{{}, Tensor::zeros(DType::F32, {3, 16, 16}), "x.png", "cat", nullptr};
  EXPECT_THROW(image_classes(plain, {image}), InputError);
  try {
    image_classes(classifier, {image});
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_CONTAINS(e.what(), "x.png: label 'cat' is not one of the classifier's classes");
  }
}

}  // namespace
}  // namespace massact
