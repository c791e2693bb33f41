"""Executes every notebook of the course (notebooks/*.ipynb) with the godl kernel through
nbclient, in fast mode (GODL_FAST=1: fewer epochs), and checks that no cell fails and that
each notebook shows what it must: its printed figures and its rich outputs.

Usage (tests/run.sh course does this): course_test.py, with the kernelspec godl installed.
"""

import glob
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What each notebook must show in fast mode: text its outputs contain, and MIME types that
# at least one output carries. A notebook missing from this table fails the test, so a new
# notebook comes with its expectations.
EXPECT = {
    "ch2_nb1_mnist_keras.ipynb": {
        "text": ["Train on 60000 samples, validate on 10000 samples",
                 "Total params: 101,770", "dense (Dense)                (None, 128)               100480"],
        "mime": ["image/png"],
    },
    "ch3_nb1_discover_cnns_basic_ops.ipynb": {
        # The stand-in image has the size of the book's photo, so every shape is the book's.
        "text": ["Image shape: (680, 608)", "Tensor shape: (1, 680, 608, 1)",
                 "Kernel shape: (3, 3, 1, 1)", "Result shape: (1, 680, 608, 1)",
                 "Result shape: (1, 340, 304, 1)", "Result shape: (1, 339, 303, 1)"],
        "mime": ["image/png"],
    },
    "ch3_nb2_build_and_train_first_cnn_with_tf2.ipynb": {
        "text": ["Training data: (6000, 28, 28, 1)",
                 "layer: simple_convolution_layer | output: (2, 26, 26, 32)",
                 "weight simple_convolution_layer/kernels (3, 3, 1, 32)",
                 'Model: "le_net5"',
                 "conv2d (Conv2D)              multiple                  156",
                 "max_pooling2d (MaxPooling2D) multiple                  0",
                 "dense (Dense)                multiple                  48120",
                 "Total params: 61,706",
                 "Train on 6000 samples, validate on 2000 samples", "Epoch 2/2",
                 "trained 2 epochs"],
        "mime": ["image/png", "text/html"],
    },
    "ch3_nb3_experiment_with_optimizers.ipynb": {
        "text": ["Training data: (6000, 28, 28, 1)", "Testing data: (2000, 28, 28, 1)",
                 "Total params: 61,706",
                 "Experiment: \033[92mstart\033[0m (training logs = off)",
                 "> Training with adadelta: \033[91mdone\033[0m",
                 "> Training with adam: \033[91mdone\033[0m",
                 "Experiment: \033[91mdone\033[0m", "val_accuracy epoch 2"],
        "mime": ["image/png", "text/html"],
    },
    "ch3_nb4_apply_regularization_methods_to_cnns.ipynb": {
        "text": ["Training data: (200, 28, 28, 1)", "Testing data: (1000, 28, 28, 1)",
                 "Regularization losses over kernel and bias parameters: [",
                 "L2 norms of kernel and bias parameters: [", " (6 losses)",
                 "conv_with_regularizers_4 (Co multiple                  156",
                 "dense (Dense)                multiple                  30840",
                 "Total params: 44,426", "4 losses", "7 batches per epoch",
                 "Training: \033[91mstart\033[0m", "Training: \033[92mend\033[0m",
                 "Epoch   5/6: main loss = ", "Epoch  11/12: main loss = ",
                 "Total params: 62,274", "Trainable params: 61,990", "Non-trainable params: 284",
                 "Validation data: (1000, 28, 28, 1)",
                 "> Training with l1+dropout+bn: \033[91mdone\033[0m",
                 'Max val-accuracy for model \033[1m"none"\033[0m: ',
                 'Max val-accuracy for model \033[1m"l1+dropout+bn"\033[0m: '],
        "mime": ["image/png", "text/html"],
    },
    "ch4_nb3_fetch_models_from_tf_hub.ipynb": {
        # The "hub modules" are extractors the notebook trains on MNIST, saves and loads frozen.
        "text": ["Training images: (3000, 28, 28, 1) | validation images: (1000, 28, 28, 1)",
                 "lenet_feature_vector (Sequential): 6 weights, 0 of them trainable",
                 'Model: "lenet_hub"',
                 "logits_pred (Dense)          (None, 10)                1290",
                 "Total params: 56,042", "Trainable params: 1,290", "Non-trainable params: 54,752",
                 "extra loss (): ",
                 "Training: \033[92mstart\033[0m.", "Training: \033[91mend\033[0m.",
                 "Epoch  1/2: \033[1mloss\033[0m = ",
                 "Test images: (16, 28, 28, 1)",
                 'Model: "mobile_hub"', "Trainable params: 650",
                 "maps inputs [28 28 1] to outputs [64], not to the declared [128]"],
        "mime": ["image/png", "text/html"],
    },
    "ch4_nb4_apply_transfer_learning.ipynb": {
        "text": ["source (digits 0-4): train 30596 test 5139",
                 "target (digits 5-9): train 29404 test 4861",
                 "target training set: (500, 28, 28, 1) | target validation set: (1000, 28, 28, 1)",
                 "Total params: 310,053", "Trainable params: 2,085",
                 "feature extractor: 39 layers, output (None, 2, 2, 128)",
                 "bn5a_branch1] (total = 12).",
                 "res4a_branch1] (total = 9).",
                 "> Layers we froze: [conv1 res2a_branch2a res2a_branch2b] (total = 3).",
                 "> Results after 2 epochs:\t", "best run: "],
        "mime": ["image/png", "text/html"],
    },
    "ch4_nb1_implement_resnet_from_scratch.ipynb": {
        # The ResNet-50 built by the notebook's cells at the book's size, then a narrow
        # ResNet-18 trained on Fashion-MNIST with the book's callbacks.
        "text": ["name='cifar100'", "name='fashion_mnist'",
                 "Total params: 23,777,252", "Trainable params: 23,731,812",
                 "Non-trainable params: 45,440",
                 "layers: 172 | same classes and weight shapes: true | parameters: 23777252 and 23777252",
                 "layers: 66 | parameters: 703882",
                 "Training: \033[91mstart\033[0m", "Training: \033[92mend\033[0m",
                 "Epoch  1/2: \033[1mloss\033[0m = ", "\033[1mv-top5-acc\033[0m = \033[94m",
                 "Best val acc:  ", "Best val top5: ",
                 "Test Images: (16, 28, 28, 1)", "Predicted class probabilities: (16, 10)"],
        "mime": ["image/png", "text/html"],
    },
    "ch4_nb2_reuse_models_from_keras_apps.ipynb": {
        # Keras's ResNet-50 at 224 px for its summary, then the same architecture trained at 32 px.
        "text": ["Total params: 23,792,612", "Trainable params: 23,739,492",
                 "Non-trainable params: 53,120",
                 "all                                177          172      23792612     23777252",
                 "non-trainable params: Keras 53120 | book 45440",
                 "layers: 177 | parameters: 23601930",
                 "Training: \033[92mstart\033[0m.", "Training: \033[91mend\033[0m.",
                 "Epoch  0/1: \033[1mloss\033[0m = ",
                 "Best val acc:  ", "Best val top5: ",
                 "Test Images: (16, 28, 28, 1)", "Predicted class probabilities: (16, 10)"],
        "mime": ["image/png", "text/html"],
    },
    "ch4_nb5_explore_imagenet_and_its_tiny_version.ipynb": {
        "text": ['"n00000000" --> "T-shirt/top"', '"n00000009" --> "Ankle boot"',
                 "Number of training images: 500", "Number of validation images: 50",
                 "same ids: true | same training files: true | same validation files: true",
                 "images: (32, 64, 64, 3) float32 labels: (32,)",
                 "num_classes=1000", "'train': 1281167", "'validation': 50000"],
        "mime": ["image/png"],
    },
}


def texts(nb):
    """Yields every text an executed notebook's outputs carry."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                yield out.text
            elif out.output_type in ("execute_result", "display_data"):
                yield out.data.get("text/plain", "")


def mimes(nb):
    return {m for cell in nb.cells for out in cell.get("outputs", [])
            if out.output_type in ("execute_result", "display_data") for m in out.data}


def main():
    os.environ["GODL_FAST"] = "1"  # inherited by the kernel process
    paths = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
    assert paths, "no notebooks in notebooks/"
    failed = 0
    for path in paths:
        name = os.path.basename(path)
        start = time.monotonic()
        try:
            want = EXPECT.get(name)
            assert want is not None, "no expectations listed for it in tests/course_test.py"
            nb = nbformat.read(path, as_version=4)
            NotebookClient(nb, kernel_name="godl", timeout=600, startup_timeout=60,
                           resources={"metadata": {"path": os.path.dirname(path)}}).execute()
            errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
            assert not errors, "a cell failed: %s: %s" % (errors[0].ename, errors[0].evalue)
            alltext = "".join(texts(nb))
            for t in want["text"]:
                assert t in alltext, "no output contains %r" % t
            missing = set(want["mime"]) - mimes(nb)
            assert not missing, "no output of type %s" % ", ".join(sorted(missing))
            print("ok   %s (%.1f s)" % (name, time.monotonic() - start))
        except Exception as e:  # report every notebook, then fail
            failed += 1
            print("FAIL %s: %s" % (name, e))
    print("%d passed, %d failed" % (len(paths) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
