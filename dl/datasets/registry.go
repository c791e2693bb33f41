package datasets

// A static registry of data sets in the manner of tensorflow_datasets (tfds.list_builders,
// tfds.builder(name).info), for the chapter 4 notebooks: the data sets that load here, and
// the recorded facts of the ones they stand in for, which cannot be downloaded.

import (
	"fmt"
	"sort"
	"strings"
)

// Info describes a data set, as tfds's DatasetInfo: its classes, the shape of one
// image, and the number of examples of each split.
type Info struct {
	Name        string
	Description string
	Shape       []int          // one image, [H W C]
	ClassNames  []string       // nil when the classes have no names here
	NumClasses  int            // len(ClassNames) when they are named
	Splits      map[string]int // split name ("train", "test", "validation") → examples
	Loadable    bool           // whether Load reads it here; else only its facts are known
}

var registry = map[string]*Info{
	"mnist": {
		Name:        "mnist",
		Description: "The MNIST database of handwritten digits.",
		Shape:       []int{28, 28, 1},
		ClassNames:  []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
		NumClasses:  10,
		Splits:      map[string]int{"train": TrainSize, "test": TestSize},
		Loadable:    true,
	},
	"fashion_mnist": {
		Name:        "fashion_mnist",
		Description: "Fashion-MNIST: Zalando's article images, 28×28 grey, in 10 classes.",
		Shape:       []int{28, 28, 1},
		ClassNames:  FashionMNISTClasses,
		NumClasses:  10,
		Splits:      map[string]int{"train": TrainSize, "test": TestSize},
		Loadable:    true,
	},
	"cifar100": {
		Name:        "cifar100",
		Description: "CIFAR-100: 32×32 colour images in 100 classes (not available offline; the notebooks use fashion_mnist instead).",
		Shape:       []int{32, 32, 3},
		NumClasses:  100,
		Splits:      map[string]int{"train": 50000, "test": 10000},
	},
	"imagenet2012": {
		Name:        "imagenet2012",
		Description: "ILSVRC 2012 (ImageNet): 1,000 classes (not available offline; facts only).",
		Shape:       []int{-1, -1, 3},
		NumClasses:  1000,
		Splits:      map[string]int{"train": 1281167, "validation": 50000},
	},
}

// ListBuilders returns the names of the registered data sets, sorted, as
// tfds.list_builders().
func ListBuilders() []string {
	var names []string
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// DatasetInfo returns (a copy of) the description of the named data set, as
// tfds.builder(name).info.
func DatasetInfo(name string) (*Info, error) {
	i, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("datasets: no data set %q (have %s)", name, strings.Join(ListBuilders(), ", "))
	}
	c := *i // a copy: the registry stays as it is
	return &c, nil
}

// Load returns the named split ("train" or "test") of a loadable data set, as
// tfds.load(name, split=...).
func Load(name, split string) (*Split, error) {
	var load func(string) (*Split, *Split, error)
	switch name {
	case "mnist":
		load = LoadMNIST
	case "fashion_mnist":
		load = LoadFashionMNIST
	default:
		if _, err := DatasetInfo(name); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("datasets: %s cannot be loaded here (no offline copy); use mnist or fashion_mnist", name)
	}
	if split != "train" && split != "test" {
		return nil, fmt.Errorf("datasets: %s has no split %q (want train or test)", name, split)
	}
	train, test, err := load("")
	if err != nil {
		return nil, err
	}
	if split == "train" {
		return train, nil
	}
	return test, nil
}

// String formats the information as tfds prints a DatasetInfo, in short.
func (i *Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tfds.core.DatasetInfo(\n    name='%s',\n    description=\"%s\",\n", i.Name, i.Description)
	fmt.Fprintf(&b, "    features=FeaturesDict({\n        'image': Image(shape=%s, dtype=tf.uint8),\n", shapeTuple(i.Shape))
	fmt.Fprintf(&b, "        'label': ClassLabel(shape=(), dtype=tf.int64, num_classes=%d),\n    }),\n", i.NumClasses)
	b.WriteString("    splits={\n")
	var names []string
	for n := range i.Splits {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "        '%s': %d,\n", n, i.Splits[n])
	}
	b.WriteString("    },\n)")
	return b.String()
}

func shapeTuple(s []int) string {
	parts := make([]string, len(s))
	for k, d := range s {
		parts[k] = fmt.Sprint(d)
		if d < 0 {
			parts[k] = "None"
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
