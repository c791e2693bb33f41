// Package applications provides ready-made model architectures, as tf.keras.applications
// does, and the ResNets that "Hands-On Computer Vision with TensorFlow 2" builds from
// scratch in chapter 4.
//
// Models are built with dl's functional API and come with freshly initialised weights (no
// pretrained weights can be downloaded offline):
//
//	model := applications.ResNet50(applications.Classes(100))  // Keras's ResNet50(weights=None, classes=100)
//	model.Summary()                                            // 177 layers, 23,792,612 parameters
//
// ResNetBook builds the book's modular ResNet (ch4_nb1, resnet_functional.py), with
// ResNet50Book for its ResNet-50 and a SmallInput stem for 28–32 pixel images such as
// Fashion-MNIST.
package applications
