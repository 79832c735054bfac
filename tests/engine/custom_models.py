"""Models in the style of the keras.io examples that use the user's own
code: the module text (written beside the test's files) and builders."""

MODULE = '''
"""Custom layers in the style of the keras.io examples."""
import os

import keras
from keras import layers, ops

# Proves when this module runs: a marker file beside it.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "module_ran.marker"), "a") as fh:
    fh.write("ran\\n")


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.maxlen = maxlen
        self.vocab_size = vocab_size
        self.embed_dim = embed_dim
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def build(self, input_shape):
        self.token_emb.build(input_shape)
        self.pos_emb.build((input_shape[-1],))

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(start=0, stop=maxlen, step=1)
        return self.token_emb(x) + self.pos_emb(positions)

    def get_config(self):
        config = super().get_config()
        config.update(maxlen=self.maxlen, vocab_size=self.vocab_size,
                      embed_dim=self.embed_dim)
        return config


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim, self.num_heads, self.ff_dim, self.rate = \\
            embed_dim, num_heads, ff_dim, rate
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                     layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def build(self, input_shape):
        self.att.build(input_shape, input_shape)
        self.ffn.build(input_shape)
        self.layernorm1.build(input_shape)
        self.layernorm2.build(input_shape)

    def call(self, inputs, training=False):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)

    def get_config(self):
        config = super().get_config()
        config.update(embed_dim=self.embed_dim, num_heads=self.num_heads,
                      ff_dim=self.ff_dim, rate=self.rate)
        return config


class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z (deterministic here: seeded)."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        return z_mean + ops.exp(0.5 * z_log_var)


class OrthogonalRegularizer(keras.regularizers.Regularizer):
    def __init__(self, num_features, l2reg=0.001):
        self.num_features = num_features
        self.l2reg = l2reg

    def __call__(self, x):
        x = ops.reshape(x, (-1, self.num_features, self.num_features))
        xxt = ops.tensordot(x, x, axes=(2, 2))
        xxt = ops.reshape(xxt, (-1, self.num_features, self.num_features))
        return ops.sum(self.l2reg * ops.square(xxt - ops.eye(self.num_features)))

    def get_config(self):
        return {"num_features": self.num_features, "l2reg": self.l2reg}


def euclidean_distance(vects):
    x, y = vects
    sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
    return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))
'''

MODEL_FUNCTIONS = '''

def text_transformer():
    inputs = keras.Input(shape=(12,), dtype="int32")
    x = TokenAndPositionEmbedding(12, 50, 8)(inputs)
    x = TransformerBlock(8, 2, 16)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dense(16, activation="relu")(x)
    logits = layers.Dense(2, name="logits")(x)
    outputs = layers.Softmax()(logits)
    return keras.Model(inputs=inputs, outputs=outputs, name="text_transformer")


def vae_encoder():
    inputs = keras.Input(shape=(8, 8, 1))
    x = layers.Conv2D(4, 3, activation="relu", strides=2, padding="same")(inputs)
    x = layers.Flatten()(x)
    x = layers.Dense(8, activation="relu")(x)
    z_mean = layers.Dense(2, name="z_mean")(x)
    z_log_var = layers.Dense(2, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    return keras.Model(inputs, [z_mean, z_log_var, z], name="encoder")


def pointnet():
    inputs = keras.Input(shape=(16, 3))
    x = layers.Conv1D(8, 1, activation="relu")(inputs)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(9, kernel_initializer="zeros",
                     bias_initializer=keras.initializers.Constant(1.0),
                     activity_regularizer=OrthogonalRegularizer(3))(x)
    feat_t = layers.Reshape((3, 3))(x)
    x = layers.Dot(axes=(2, 1))([inputs, feat_t])
    x = layers.Flatten()(x)
    logits = layers.Dense(4, name="logits")(x)
    return keras.Model(inputs, layers.Softmax()(logits), name="pointnet")


def siamese():
    a = keras.Input(shape=(6,))
    b = keras.Input(shape=(6,))
    tower = layers.Dense(4, activation="tanh", name="tower")
    distance = layers.Lambda(euclidean_distance)([tower(a), tower(b)])
    x = layers.BatchNormalization()(distance)
    return keras.Model([a, b], layers.Dense(1, activation="sigmoid")(x), name="siamese")
'''
