package datasets

import (
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	if got := strings.Join(ListBuilders(), ","); got != "cifar100,fashion_mnist,imagenet2012,mnist" {
		t.Errorf("ListBuilders: %s", got)
	}
	info, err := DatasetInfo("imagenet2012")
	if err != nil || info.NumClasses != 1000 || info.Splits["train"] != 1281167 || info.Splits["validation"] != 50000 {
		t.Errorf("imagenet2012: %+v %v", info, err)
	}
	want := `tfds.core.DatasetInfo(
    name='fashion_mnist',
    description="Fashion-MNIST: Zalando's article images, 28×28 grey, in 10 classes.",
    features=FeaturesDict({
        'image': Image(shape=(28, 28, 1), dtype=tf.uint8),
        'label': ClassLabel(shape=(), dtype=tf.int64, num_classes=10),
    }),
    splits={
        'test': 10000,
        'train': 60000,
    },
)`
	if info, _ := DatasetInfo("fashion_mnist"); info.String() != want {
		t.Errorf("got\n%s\nwant\n%s", info, want)
	}
	if _, err := DatasetInfo("cifar10"); err == nil || !strings.Contains(err.Error(), "have cifar100, fashion_mnist") {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := Load("cifar100", "train"); err == nil || !strings.Contains(err.Error(), "cannot be loaded here") {
		t.Errorf("facts-only data set: %v", err)
	}
	if _, err := Load("mnist", "validation"); err == nil || !strings.Contains(err.Error(), "no split") {
		t.Errorf("bad split: %v", err)
	}
	s, err := Load("mnist", "test")
	if err != nil || s.Len() != TestSize {
		t.Errorf("mnist test: %v %v", s, err)
	}
}
