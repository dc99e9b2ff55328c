package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ttsqueue.server.internal.FieldReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FieldReaderTest {
    @ParameterizedTest
    @CsvSource({"true,true", "TRUE,true", "1,true", "yes,true", "Yes,true", "on,true", "ON,true", "t,true", "y,true",
            "false,false", "False,false", "0,false", "no,false", "NO,false", "off,false", "Off,false", "f,false", "n,false"})
    void booleanWords(String word, boolean expected) {
        assertEquals(expected, FieldReader.parseBoolean(word));
    }

    @ParameterizedTest
    @CsvSource({"maybe", "2", "truee", "''"})
    void notBooleans(String word) {
        assertNull(FieldReader.parseBoolean(word));
    }
}
